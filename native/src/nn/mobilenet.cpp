// MobileNetV2 and V3 block for block as torchvision builds them (width multiplier 1.0, so every
// channel count in the tables below is already a multiple of 8).
#include "nn/mobilenet.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/modules/linear.h>

#include "core/failure.h"

namespace fdl {

namespace nn = torch::nn;

namespace {

// MobileNetV3's batch norm (eps 1e-3, momentum 0.01).
constexpr BatchNormSpec kV3Norm{1e-3, 0.01};

// mobilenetv2.py's InvertedResidual: 1x1 expand (unless t == 1), 3x3 depthwise, 1x1 linear projection.
InvertedResidual v2_block(int64_t in, int64_t out, int64_t stride, int64_t expand_ratio) {
  int64_t hidden = in * expand_ratio;
  nn::Sequential conv;
  if (expand_ratio != 1) conv->push_back(ConvNormAct(in, hidden, 1, 1, 1, MobileActivation::ReLU6));
  conv->push_back(ConvNormAct(hidden, hidden, 3, stride, hidden, MobileActivation::ReLU6));
  conv->push_back(same_conv(hidden, out, 1));
  conv->push_back(batch_norm(out));
  return InvertedResidual("conv", conv, stride == 1 && in == out);
}

struct V3Block {
  int64_t in, kernel, expanded, out;
  bool se;
  MobileActivation activation;
  int64_t stride;
};

constexpr MobileActivation RE = MobileActivation::ReLU, HS = MobileActivation::Hardswish;

// _mobilenet_v3_conf's tables (dilation 1, full tail).
const std::vector<V3Block> kLarge = {
    {16, 3, 16, 16, false, RE, 1},    {16, 3, 64, 24, false, RE, 2},    {24, 3, 72, 24, false, RE, 1},
    {24, 5, 72, 40, true, RE, 2},     {40, 5, 120, 40, true, RE, 1},    {40, 5, 120, 40, true, RE, 1},
    {40, 3, 240, 80, false, HS, 2},   {80, 3, 200, 80, false, HS, 1},   {80, 3, 184, 80, false, HS, 1},
    {80, 3, 184, 80, false, HS, 1},   {80, 3, 480, 112, true, HS, 1},   {112, 3, 672, 112, true, HS, 1},
    {112, 5, 672, 160, true, HS, 2},  {160, 5, 960, 160, true, HS, 1},  {160, 5, 960, 160, true, HS, 1},
};
const std::vector<V3Block> kSmall = {
    {16, 3, 16, 16, true, RE, 2},  {16, 3, 72, 24, false, RE, 2}, {24, 3, 88, 24, false, RE, 1},
    {24, 5, 96, 40, true, HS, 2},  {40, 5, 240, 40, true, HS, 1}, {40, 5, 240, 40, true, HS, 1},
    {40, 5, 120, 48, true, HS, 1}, {48, 5, 144, 48, true, HS, 1}, {48, 5, 288, 96, true, HS, 2},
    {96, 5, 576, 96, true, HS, 1}, {96, 5, 576, 96, true, HS, 1},
};

// mobilenetv3.py's InvertedResidual: 1x1 expand (when widening), depthwise, squeeze-excitation, 1x1 projection.
InvertedResidual v3_block(const V3Block& b) {
  nn::Sequential block;
  if (b.expanded != b.in) block->push_back(ConvNormAct(b.in, b.expanded, 1, 1, 1, b.activation, kV3Norm));
  block->push_back(
      ConvNormAct(b.expanded, b.expanded, b.kernel, b.stride, b.expanded, b.activation, kV3Norm));
  if (b.se) {
    block->push_back(SqueezeExcitation(b.expanded, make_divisible(b.expanded / 4, 8), MobileActivation::ReLU,
                                       MobileActivation::Hardsigmoid));
  }
  block->push_back(ConvNormAct(b.expanded, b.out, 1, 1, 1, MobileActivation::None, kV3Norm));
  return InvertedResidual("block", block, b.stride == 1 && b.in == b.out);
}

const std::string kPooled =
    "def forward(self, x: Tensor) -> Tensor:\n"
    "    x = torch.adaptive_avg_pool2d(self.features.forward(x), [1, 1]).flatten(1)\n";

}  // namespace

MobileNetV2Impl::MobileNetV2Impl() {
  features = nn::Sequential(ConvNormAct(3, 32, 3, 2, 1, MobileActivation::ReLU6));
  // (expand ratio t, out channels c, blocks n, first stride s), mobilenetv2.py's table
  const int64_t setting[][4] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                                {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  int64_t in = 32;
  for (const auto& s : setting) {
    for (int64_t i = 0; i < s[2]; ++i) {
      features->push_back(v2_block(in, s[1], i == 0 ? s[3] : 1, s[0]));
      in = s[1];
    }
  }
  features->push_back(ConvNormAct(in, 1280, 1, 1, 1, MobileActivation::ReLU6));
  register_module("features", features);
}

at::Tensor MobileNetV2Impl::forward(const at::Tensor& images) {
  require_rgb_images(images, "mobilenetv2");
  at::Tensor x = features->forward(images);                // [B, 1280, H/32, W/32]
  x = at::adaptive_avg_pool2d(x, {1, 1}).flatten(1);       // [B, 1280]
  return at::dropout(x, dropout, is_training());
}

void MobileNetV2Impl::reset_parameters_like_torchvision(uint64_t seed) {
  at::Generator generator = at::detail::createCPUGenerator(seed);
  init_convs_and_norms(*this, ConvInit::KaimingNormalFanOut, generator);
}

std::string MobileNetV2Impl::torchscript_forward() const { return kPooled + "    return x\n"; }

MobileNetV3Impl::MobileNetV3Impl(bool large) : large(large) {
  const std::vector<V3Block>& blocks = large ? kLarge : kSmall;
  features = nn::Sequential(ConvNormAct(3, 16, 3, 2, 1, MobileActivation::Hardswish, kV3Norm));
  for (const V3Block& b : blocks) features->push_back(v3_block(b));
  int64_t last_in = blocks.back().out;
  features->push_back(ConvNormAct(last_in, 6 * last_in, 1, 1, 1, MobileActivation::Hardswish, kV3Norm));
  register_module("features", features);
  classifier = register_module("classifier", nn::Sequential(nn::Linear(6 * last_in, feature_size())));
}

at::Tensor MobileNetV3Impl::forward(const at::Tensor& images) {
  require_rgb_images(images, "mobilenetv3");
  at::Tensor x = features->forward(images);                      // [B, 6 * last, H/32, W/32]
  x = at::adaptive_avg_pool2d(x, {1, 1}).flatten(1);             // [B, 6 * last]
  x = at::hardswish(classifier->forward(x));                     // [B, feature_size]
  return at::dropout(x, dropout, is_training());
}

void MobileNetV3Impl::reset_parameters_like_torchvision(uint64_t seed) {
  at::Generator generator = at::detail::createCPUGenerator(seed);
  init_convs_and_norms(*this, ConvInit::KaimingNormalFanOut, generator);
  at::NoGradGuard no_grad;
  auto* linear = classifier[0]->as<nn::Linear>();
  linear->weight.copy_(at::empty(linear->weight.sizes()).normal_(0.0, 0.01, generator));
  linear->bias.zero_();
}

std::string MobileNetV3Impl::torchscript_forward() const {
  return kPooled + "    return torch.hardswish(self.classifier.forward(x))\n";
}

std::shared_ptr<ImageEncoderImpl> make_mobilenetv2(const std::string& variant) {
  require(variant == "base", "mobilenetv2 model_variant must be base, got '" + variant + "'");
  return std::make_shared<MobileNetV2Impl>();
}

std::shared_ptr<ImageEncoderImpl> make_mobilenetv3(const std::string& variant) {
  require(variant == "small" || variant == "large",
          "mobilenetv3 model_variant must be one of small, large; got '" + variant + "'");
  return std::make_shared<MobileNetV3Impl>(variant == "large");
}

}  // namespace fdl
