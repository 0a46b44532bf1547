// ShuffleNetV2 as torchvision builds it: conv 3x3/2 + max pool, three stages of shuffle units (4, 8,
// 4; the first of each halves the resolution), a 1x1 conv5 and global average pooling.
#include "nn/shufflenet.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "core/failure.h"

namespace fdl {

namespace nn = torch::nn;

namespace {

ActivationLayer relu() { return ActivationLayer(MobileActivation::ReLU); }

// Conv 1x1 (or kxk/stride), batch norm, ReLU: conv1 and conv5.
nn::Sequential conv_bn_relu(int64_t in, int64_t out, int64_t kernel, int64_t stride) {
  return nn::Sequential(same_conv(in, out, kernel, stride), batch_norm(out), relu());
}

}  // namespace

ShuffleUnitImpl::ShuffleUnitImpl(int64_t in, int64_t out, int64_t stride) : stride(stride) {
  int64_t half = out / 2;
  TORCH_CHECK(stride > 1 || in == 2 * half, "a stride-1 shuffle unit needs in == out, got ", in, " and ", out);
  if (stride > 1) {
    branch1 = register_module("branch1", nn::Sequential(same_conv(in, in, 3, stride, in), batch_norm(in),
                                                        same_conv(in, half, 1), batch_norm(half), relu()));
  }
  branch2 = register_module("branch2", nn::Sequential(same_conv(stride > 1 ? in : half, half, 1), batch_norm(half),
                                                      relu(), same_conv(half, half, 3, stride, half), batch_norm(half),
                                                      same_conv(half, half, 1), batch_norm(half), relu()));
}

at::Tensor ShuffleUnitImpl::forward(const at::Tensor& x) {
  at::Tensor out;
  if (stride == 1) {
    std::vector<at::Tensor> halves = x.chunk(2, 1);
    out = at::cat({halves[0], branch2->forward(halves[1])}, 1);
  } else {
    out = at::cat({branch1->forward(x), branch2->forward(x)}, 1);
  }
  // channel shuffle: [B, 2, C/2, H, W] -> [B, C/2, 2, H, W] -> [B, C, H, W]
  int64_t b = out.size(0), c = out.size(1), h = out.size(2), w = out.size(3);
  return out.view({b, 2, c / 2, h, w}).transpose(1, 2).contiguous().view({b, c, h, w});
}

std::string ShuffleUnitImpl::torchscript_forward() const {
  std::string code = "def forward(self, x: Tensor) -> Tensor:\n";
  code += stride == 1 ? "    halves = x.chunk(2, 1)\n"
                        "    out = torch.cat([halves[0], self.branch2.forward(halves[1])], 1)\n"
                      : "    out = torch.cat([self.branch1.forward(x), self.branch2.forward(x)], 1)\n";
  return code +
         "    b, c, h, w = out.size(0), out.size(1), out.size(2), out.size(3)\n"
         "    return out.view([b, 2, c // 2, h, w]).transpose(1, 2).contiguous().view([b, c, h, w])\n";
}

ShuffleNetV2Impl::ShuffleNetV2Impl(const std::vector<int64_t>& widths) : features_out(widths[4]) {
  conv1 = register_module("conv1", conv_bn_relu(3, widths[0], 3, 2));
  nn::Sequential* stages[] = {&stage2, &stage3, &stage4};
  const int64_t repeats[] = {4, 8, 4};
  int64_t in = widths[0];
  for (int i = 0; i < 3; ++i) {
    nn::Sequential stage(ShuffleUnit(in, widths[i + 1], 2));
    for (int64_t r = 1; r < repeats[i]; ++r) stage->push_back(ShuffleUnit(widths[i + 1], widths[i + 1], 1));
    *stages[i] = register_module("stage" + std::to_string(i + 2), stage);
    in = widths[i + 1];
  }
  conv5 = register_module("conv5", conv_bn_relu(in, widths[4], 1, 1));
}

at::Tensor ShuffleNetV2Impl::forward(const at::Tensor& images) {
  require_rgb_images(images, "shufflenet_v2");
  at::Tensor x = at::max_pool2d(conv1->forward(images), {3, 3}, {2, 2}, {1, 1});  // [B, 24, H/4, W/4]
  x = conv5->forward(stage4->forward(stage3->forward(stage2->forward(x))));      // [B, F, H/32, W/32]
  return x.mean({2, 3});                                                          // [B, F]
}

void ShuffleNetV2Impl::reset_parameters_like_torchvision(uint64_t seed) {
  at::Generator generator = at::detail::createCPUGenerator(seed);
  init_convs_and_norms(*this, ConvInit::PyTorchDefault, generator);
}

std::string ShuffleNetV2Impl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    x = torch.max_pool2d(self.conv1.forward(x), [3, 3], [2, 2], [1, 1])\n"
         "    x = self.conv5.forward(self.stage4.forward(self.stage3.forward(self.stage2.forward(x))))\n"
         "    return x.mean([2, 3])\n";
}

std::shared_ptr<ImageEncoderImpl> make_shufflenet_v2(const std::string& variant) {
  if (variant == "x0_5") return std::make_shared<ShuffleNetV2Impl>(std::vector<int64_t>{24, 48, 96, 192, 1024});
  if (variant == "x1_0") return std::make_shared<ShuffleNetV2Impl>(std::vector<int64_t>{24, 116, 232, 464, 1024});
  if (variant == "x1_5") return std::make_shared<ShuffleNetV2Impl>(std::vector<int64_t>{24, 176, 352, 704, 1024});
  if (variant == "x2_0") return std::make_shared<ShuffleNetV2Impl>(std::vector<int64_t>{24, 244, 488, 976, 2048});
  fail(FDL_ERR_INVALID_ARGUMENT, "shufflenet_v2 model_variant must be one of x0_5, x1_0, x1_5, x2_0; got '" +
                                     variant + "'");
}

}  // namespace fdl
