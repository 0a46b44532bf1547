// GoogLeNet, layer for layer as torchvision 0.14's googlenet.py (including its 3x3 "5x5" branch,
// pytorch/vision#906, which its weights were trained with).
#include "nn/googlenet.h"

#include <ATen/ATen.h>

#include "core/failure.h"

namespace fdl {

namespace {

// torchvision's Inception(in, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj).
InceptionBlock googlenet_block(int64_t in, int64_t ch1, int64_t ch3red, int64_t ch3, int64_t ch5red, int64_t ch5,
                               int64_t pool_proj) {
  InceptionBlock b;
  b->add_branch({b->conv("branch1", in, ch1, {{1, 1}})});
  b->add_branch({b->conv("branch2.0", in, ch3red, {{1, 1}}), b->conv("branch2.1", ch3red, ch3, {{3, 3}, 1, {1, 1}})});
  b->add_branch({b->conv("branch3.0", in, ch5red, {{1, 1}}), b->conv("branch3.1", ch5red, ch5, {{3, 3}, 1, {1, 1}})});
  b->add_branch({InceptionBlockImpl::pool(InceptionPool::Max3Stride1Ceil), b->conv("branch4.1", in, pool_proj, {{1, 1}})});
  return b;
}

at::Tensor max_pool_ceil(const at::Tensor& x, int64_t kernel) {
  return at::max_pool2d(x, {kernel, kernel}, {2, 2}, {0, 0}, {1, 1}, /*ceil_mode=*/true);
}

}  // namespace

GoogLeNetImpl::GoogLeNetImpl(const GoogLeNetOptions& o) : options(o) {
  conv1 = register_module("conv1", BasicConv2d(3, 64, ConvShape{{7, 7}, 2, {3, 3}}));
  conv2 = register_module("conv2", BasicConv2d(64, 64, ConvShape{{1, 1}}));
  conv3 = register_module("conv3", BasicConv2d(64, 192, ConvShape{{3, 3}, 1, {1, 1}}));
  inception3a = register_module("inception3a", googlenet_block(192, 64, 96, 128, 16, 32, 32));
  inception3b = register_module("inception3b", googlenet_block(256, 128, 128, 192, 32, 96, 64));
  inception4a = register_module("inception4a", googlenet_block(480, 192, 96, 208, 16, 48, 64));
  inception4b = register_module("inception4b", googlenet_block(512, 160, 112, 224, 24, 64, 64));
  inception4c = register_module("inception4c", googlenet_block(512, 128, 128, 256, 24, 64, 64));
  inception4d = register_module("inception4d", googlenet_block(512, 112, 144, 288, 32, 64, 64));
  inception4e = register_module("inception4e", googlenet_block(528, 256, 160, 320, 32, 128, 128));
  inception5a = register_module("inception5a", googlenet_block(832, 256, 160, 320, 32, 128, 128));
  inception5b = register_module("inception5b", googlenet_block(832, 384, 192, 384, 48, 128, 128));
}

at::Tensor GoogLeNetImpl::forward(const at::Tensor& images) {
  require_rgb_images(images, "googlenet", 15);
  at::Tensor x = options.transform_input ? transform_input(images) : images;
  x = max_pool_ceil(conv1->forward(x), 3);                                  // [B, 64, H/4, W/4]
  x = max_pool_ceil(conv3->forward(conv2->forward(x)), 3);                  // [B, 192, H/8, W/8]
  x = max_pool_ceil(inception3b->forward(inception3a->forward(x)), 3);      // [B, 480, H/16, W/16]
  x = inception4d->forward(inception4c->forward(inception4b->forward(inception4a->forward(x))));
  x = max_pool_ceil(inception4e->forward(x), 2);                            // [B, 832, H/32, W/32]
  x = inception5b->forward(inception5a->forward(x));                        // [B, 1024, H/32, W/32]
  x = at::adaptive_avg_pool2d(x, {1, 1}).flatten(1);                        // [B, 1024]
  return at::dropout(x, options.dropout, is_training());
}

std::string GoogLeNetImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n" + (options.transform_input ? transform_input_code() : "") +
         "    x = torch.max_pool2d(self.conv1.forward(x), [3, 3], [2, 2], [0, 0], [1, 1], True)\n"
         "    x = torch.max_pool2d(self.conv3.forward(self.conv2.forward(x)), [3, 3], [2, 2], [0, 0], [1, 1], True)\n"
         "    x = self.inception3b.forward(self.inception3a.forward(x))\n"
         "    x = torch.max_pool2d(x, [3, 3], [2, 2], [0, 0], [1, 1], True)\n"
         "    x = self.inception4b.forward(self.inception4a.forward(x))\n"
         "    x = self.inception4e.forward(self.inception4d.forward(self.inception4c.forward(x)))\n"
         "    x = torch.max_pool2d(x, [2, 2], [2, 2], [0, 0], [1, 1], True)\n"
         "    x = self.inception5b.forward(self.inception5a.forward(x))\n"
         "    return torch.adaptive_avg_pool2d(x, [1, 1]).flatten(1)\n";
}

void GoogLeNetImpl::reset_parameters_like_torchvision(uint64_t seed) { reset_inception_parameters(*this, 0.01, seed); }

std::shared_ptr<ImageEncoderImpl> make_googlenet(const std::string& variant) {
  require(variant == "base", "googlenet model_variant must be base; got '" + variant + "'");
  return std::make_shared<GoogLeNetImpl>();
}

}  // namespace fdl
