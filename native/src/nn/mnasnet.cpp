// MNASNet as torchvision builds it: a 3x3/2 stem with a depthwise-separable convolution, six stacks
// of inverted residuals (no squeeze-excitation, ReLU), a 1x1 convolution to 1280. Batch norm momentum
// is 0.0003 throughout (TensorFlow's 0.9997 decay).
#include "nn/mnasnet.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "core/failure.h"

namespace fdl {

namespace nn = torch::nn;

namespace {

constexpr BatchNormSpec kNorm{1e-5, 1 - 0.9997};

nn::BatchNorm2d norm(int64_t channels) { return batch_norm(channels, kNorm); }
ActivationLayer relu() { return ActivationLayer(MobileActivation::ReLU); }

// _InvertedResidual: 1x1 expand, kxk depthwise, 1x1 project, each with batch norm, ReLU after the first two.
InvertedResidual block(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t expansion) {
  int64_t mid = in * expansion;
  nn::Sequential layers(same_conv(in, mid, 1), norm(mid), relu(), same_conv(mid, mid, kernel, stride, mid), norm(mid),
                        relu(), same_conv(mid, out, 1), norm(out));
  return InvertedResidual("layers", layers, in == out && stride == 1);
}

}  // namespace

MNASNetImpl::MNASNetImpl(double alpha) {
  // _get_depths: the reference widths scaled by alpha, to multiples of 8 (rounding up past 90%)
  std::vector<int64_t> depths;
  for (int64_t d : {32, 16, 24, 40, 80, 96, 192, 320}) depths.push_back(make_divisible(d * alpha, 8));
  layers = nn::Sequential(same_conv(3, depths[0], 3, 2), norm(depths[0]), relu(),
                          same_conv(depths[0], depths[0], 3, 1, depths[0]), norm(depths[0]), relu(),
                          same_conv(depths[0], depths[1], 1), norm(depths[1]));
  // (kernel, first stride, expansion, repeats) of the six stacks
  const int64_t stacks[][4] = {{3, 2, 3, 3}, {5, 2, 3, 3}, {5, 2, 6, 3}, {3, 1, 6, 2}, {5, 2, 6, 4}, {3, 1, 6, 1}};
  for (int i = 0; i < 6; ++i) {
    const int64_t* s = stacks[i];
    NestedSequential stack(block(depths[i + 1], depths[i + 2], s[0], s[1], s[2]));
    for (int64_t r = 1; r < s[3]; ++r) stack->push_back(block(depths[i + 2], depths[i + 2], s[0], 1, s[2]));
    layers->push_back(stack);
  }
  layers->push_back(same_conv(depths[7], 1280, 1));
  layers->push_back(norm(1280));
  layers->push_back(relu());
  register_module("layers", layers);
}

at::Tensor MNASNetImpl::forward(const at::Tensor& images) {
  require_rgb_images(images, "mnasnet");
  at::Tensor x = layers->forward(images).mean({2, 3});  // [B, 1280]
  return at::dropout(x, dropout, is_training());
}

void MNASNetImpl::reset_parameters_like_torchvision(uint64_t seed) {
  at::Generator generator = at::detail::createCPUGenerator(seed);
  init_convs_and_norms(*this, ConvInit::KaimingNormalFanOut, generator);
}

std::string MNASNetImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n    return self.layers.forward(x).mean([2, 3])\n";
}

std::shared_ptr<ImageEncoderImpl> make_mnasnet(const std::string& variant) {
  if (variant == "0_5") return std::make_shared<MNASNetImpl>(0.5);
  if (variant == "0_75") return std::make_shared<MNASNetImpl>(0.75);
  if (variant == "1_0") return std::make_shared<MNASNetImpl>(1.0);
  if (variant == "1_3") return std::make_shared<MNASNetImpl>(1.3);
  fail(FDL_ERR_INVALID_ARGUMENT, "mnasnet model_variant must be one of 0_5, 0_75, 1_0, 1_3; got '" + variant + "'");
}

}  // namespace fdl
