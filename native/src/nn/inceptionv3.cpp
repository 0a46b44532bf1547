// Inception v3, layer for layer as torchvision 0.14's inception.py: the stem, three InceptionA,
// InceptionB (grid reduction), four InceptionC (factorised 7x7), InceptionD (reduction), two
// InceptionE (split 3x3), global average pooling.
#include "nn/inceptionv3.h"

#include <ATen/ATen.h>

#include "core/failure.h"

namespace fdl {

namespace {

using Pool = InceptionPool;
const ConvShape k1{{1, 1}};
const ConvShape k3{{3, 3}, 1, {1, 1}};
const ConvShape k3s2{{3, 3}, 2};
const ConvShape k1x7{{1, 7}, 1, {0, 3}};
const ConvShape k7x1{{7, 1}, 1, {3, 0}};
const ConvShape k1x3{{1, 3}, 1, {0, 1}};
const ConvShape k3x1{{3, 1}, 1, {1, 0}};

InceptionBlock inception_a(int64_t in, int64_t pool_features) {
  InceptionBlock b;
  b->add_branch({b->conv("branch1x1", in, 64, k1)});
  b->add_branch({b->conv("branch5x5_1", in, 48, k1), b->conv("branch5x5_2", 48, 64, {{5, 5}, 1, {2, 2}})});
  b->add_branch({b->conv("branch3x3dbl_1", in, 64, k1), b->conv("branch3x3dbl_2", 64, 96, k3),
                 b->conv("branch3x3dbl_3", 96, 96, k3)});
  b->add_branch({InceptionBlockImpl::pool(Pool::Avg3Stride1), b->conv("branch_pool", in, pool_features, k1)});
  return b;
}

InceptionBlock inception_b(int64_t in) {
  InceptionBlock b;
  b->add_branch({b->conv("branch3x3", in, 384, k3s2)});
  b->add_branch({b->conv("branch3x3dbl_1", in, 64, k1), b->conv("branch3x3dbl_2", 64, 96, k3),
                 b->conv("branch3x3dbl_3", 96, 96, k3s2)});
  b->add_branch({InceptionBlockImpl::pool(Pool::Max3Stride2)});
  return b;
}

InceptionBlock inception_c(int64_t in, int64_t c7) {
  InceptionBlock b;
  b->add_branch({b->conv("branch1x1", in, 192, k1)});
  b->add_branch({b->conv("branch7x7_1", in, c7, k1), b->conv("branch7x7_2", c7, c7, k1x7),
                 b->conv("branch7x7_3", c7, 192, k7x1)});
  b->add_branch({b->conv("branch7x7dbl_1", in, c7, k1), b->conv("branch7x7dbl_2", c7, c7, k7x1),
                 b->conv("branch7x7dbl_3", c7, c7, k1x7), b->conv("branch7x7dbl_4", c7, c7, k7x1),
                 b->conv("branch7x7dbl_5", c7, 192, k1x7)});
  b->add_branch({InceptionBlockImpl::pool(Pool::Avg3Stride1), b->conv("branch_pool", in, 192, k1)});
  return b;
}

InceptionBlock inception_d(int64_t in) {
  InceptionBlock b;
  b->add_branch({b->conv("branch3x3_1", in, 192, k1), b->conv("branch3x3_2", 192, 320, k3s2)});
  b->add_branch({b->conv("branch7x7x3_1", in, 192, k1), b->conv("branch7x7x3_2", 192, 192, k1x7),
                 b->conv("branch7x7x3_3", 192, 192, k7x1), b->conv("branch7x7x3_4", 192, 192, k3s2)});
  b->add_branch({InceptionBlockImpl::pool(Pool::Max3Stride2)});
  return b;
}

InceptionBlock inception_e(int64_t in) {
  InceptionBlock b;
  b->add_branch({b->conv("branch1x1", in, 320, k1)});
  b->add_branch({b->conv("branch3x3_1", in, 384, k1), b->split("branch3x3_2a", "branch3x3_2b", 384, 384, k1x3, k3x1)});
  b->add_branch({b->conv("branch3x3dbl_1", in, 448, k1), b->conv("branch3x3dbl_2", 448, 384, k3),
                 b->split("branch3x3dbl_3a", "branch3x3dbl_3b", 384, 384, k1x3, k3x1)});
  b->add_branch({InceptionBlockImpl::pool(Pool::Avg3Stride1), b->conv("branch_pool", in, 192, k1)});
  return b;
}

const char* const kMixedNames[] = {"Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c",
                                   "Mixed_6d", "Mixed_6e", "Mixed_7a", "Mixed_7b", "Mixed_7c"};

}  // namespace

InceptionV3Impl::InceptionV3Impl(const InceptionV3Options& o) : options(o) {
  Conv2d_1a_3x3 = register_module("Conv2d_1a_3x3", BasicConv2d(3, 32, ConvShape{{3, 3}, 2}));
  Conv2d_2a_3x3 = register_module("Conv2d_2a_3x3", BasicConv2d(32, 32, ConvShape{{3, 3}}));
  Conv2d_2b_3x3 = register_module("Conv2d_2b_3x3", BasicConv2d(32, 64, k3));
  Conv2d_3b_1x1 = register_module("Conv2d_3b_1x1", BasicConv2d(64, 80, k1));
  Conv2d_4a_3x3 = register_module("Conv2d_4a_3x3", BasicConv2d(80, 192, ConvShape{{3, 3}}));
  InceptionBlock blocks[] = {inception_a(192, 32),  inception_a(256, 64),  inception_a(288, 64), inception_b(288),
                             inception_c(768, 128), inception_c(768, 160), inception_c(768, 160),
                             inception_c(768, 192), inception_d(768),      inception_e(1280),    inception_e(2048)};
  for (size_t i = 0; i < std::size(blocks); ++i) mixed.push_back(register_module(kMixedNames[i], blocks[i]));
}

at::Tensor InceptionV3Impl::forward(const at::Tensor& images) {
  require_rgb_images(images, "inceptionv3", 75);
  at::Tensor x = options.transform_input ? transform_input(images) : images;
  x = Conv2d_2b_3x3->forward(Conv2d_2a_3x3->forward(Conv2d_1a_3x3->forward(x)));
  x = at::max_pool2d(x, {3, 3}, {2, 2});
  x = Conv2d_4a_3x3->forward(Conv2d_3b_1x1->forward(x));
  x = at::max_pool2d(x, {3, 3}, {2, 2});                 // [B, 192, ~H/8, ~W/8]
  for (auto& block : mixed) x = block->forward(x);       // [B, 2048, ~H/32, ~W/32]
  x = at::adaptive_avg_pool2d(x, {1, 1}).flatten(1);     // [B, 2048]
  return at::dropout(x, options.dropout, is_training());
}

std::string InceptionV3Impl::torchscript_forward() const {
  std::string code = "def forward(self, x: Tensor) -> Tensor:\n" +
                     (options.transform_input ? transform_input_code() : std::string()) +
                     "    x = self.Conv2d_2b_3x3.forward(self.Conv2d_2a_3x3.forward(self.Conv2d_1a_3x3.forward(x)))\n"
                     "    x = torch.max_pool2d(x, [3, 3], [2, 2])\n"
                     "    x = self.Conv2d_4a_3x3.forward(self.Conv2d_3b_1x1.forward(x))\n"
                     "    x = torch.max_pool2d(x, [3, 3], [2, 2])\n";
  for (const char* name : kMixedNames) code += std::string("    x = self.") + name + ".forward(x)\n";
  return code + "    return torch.adaptive_avg_pool2d(x, [1, 1]).flatten(1)\n";
}

void InceptionV3Impl::reset_parameters_like_torchvision(uint64_t seed) { reset_inception_parameters(*this, 0.1, seed); }

std::shared_ptr<ImageEncoderImpl> make_inceptionv3(const std::string& variant) {
  require(variant == "base", "inceptionv3 model_variant must be base; got '" + variant + "'");
  return std::make_shared<InceptionV3Impl>();
}

}  // namespace fdl
