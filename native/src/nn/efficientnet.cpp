// EfficientNet as torchvision builds it: a 3x3/2 stem, stages of MBConv (1x1 expand, depthwise,
// squeeze-excitation, 1x1 project) or, in V2's first stages, FusedMBConv (one kxk expand, 1x1
// project), a 1x1 head convolution, SiLU throughout. Stochastic depth grows linearly with the block
// index from 0 to 0.2 and is the identity in evaluation.
#include "nn/efficientnet.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <vector>

#include "core/failure.h"

namespace fdl {

namespace nn = torch::nn;

namespace {

struct Stage {
  bool fused;
  double expand_ratio;
  int64_t kernel, stride, in, out, layers;
};

struct Variant {
  const char* name;
  double width, depth, dropout;
  BatchNormSpec norm;
};

// efficientnet.py's builders: width and depth multipliers (b0-b7), the classifier's dropout, batch norm.
const std::vector<Variant> kVariants = {
    {"b0", 1.0, 1.0, 0.2, {}},           {"b1", 1.0, 1.1, 0.2, {}},           {"b2", 1.1, 1.2, 0.3, {}},
    {"b3", 1.2, 1.4, 0.3, {}},           {"b4", 1.4, 1.8, 0.4, {}},           {"b5", 1.6, 2.2, 0.4, {1e-3, 0.01}},
    {"b6", 1.8, 2.6, 0.5, {1e-3, 0.01}}, {"b7", 2.0, 3.1, 0.5, {1e-3, 0.01}}, {"v2_s", 1, 1, 0.2, {1e-3, 0.1}},
    {"v2_m", 1, 1, 0.3, {1e-3, 0.1}},    {"v2_l", 1, 1, 0.4, {1e-3, 0.1}},
};

// _efficientnet_conf's tables; b0-b7 scale widths (to multiples of 8) and depths (rounded up).
std::vector<Stage> stages_of(const Variant& v) {
  std::string name = v.name;
  if (name == "v2_s") {
    return {{true, 1, 3, 1, 24, 24, 2},   {true, 4, 3, 2, 24, 48, 4},    {true, 4, 3, 2, 48, 64, 4},
            {false, 4, 3, 2, 64, 128, 6}, {false, 6, 3, 1, 128, 160, 9}, {false, 6, 3, 2, 160, 256, 15}};
  }
  if (name == "v2_m") {
    return {{true, 1, 3, 1, 24, 24, 3},    {true, 4, 3, 2, 24, 48, 5},     {true, 4, 3, 2, 48, 80, 5},
            {false, 4, 3, 2, 80, 160, 7},  {false, 6, 3, 1, 160, 176, 14}, {false, 6, 3, 2, 176, 304, 18},
            {false, 6, 3, 1, 304, 512, 5}};
  }
  if (name == "v2_l") {
    return {{true, 1, 3, 1, 32, 32, 4},     {true, 4, 3, 2, 32, 64, 7},     {true, 4, 3, 2, 64, 96, 7},
            {false, 4, 3, 2, 96, 192, 10},  {false, 6, 3, 1, 192, 224, 19}, {false, 6, 3, 2, 224, 384, 25},
            {false, 6, 3, 1, 384, 640, 7}};
  }
  std::vector<Stage> stages = {{false, 1, 3, 1, 32, 16, 1},   {false, 6, 3, 2, 16, 24, 2},
                               {false, 6, 5, 2, 24, 40, 2},   {false, 6, 3, 2, 40, 80, 3},
                               {false, 6, 5, 1, 80, 112, 3},  {false, 6, 5, 2, 112, 192, 4},
                               {false, 6, 3, 1, 192, 320, 1}};
  for (Stage& s : stages) {
    s.in = make_divisible(s.in * v.width, 8);
    s.out = make_divisible(s.out * v.width, 8);
    s.layers = static_cast<int64_t>(std::ceil(s.layers * v.depth));
  }
  return stages;
}

// MBConv or FusedMBConv with in -> out channels at stride.
InvertedResidual mbconv(const Stage& s, int64_t in, int64_t stride, double stochastic_depth, const BatchNormSpec& bn) {
  constexpr MobileActivation silu = MobileActivation::SiLU;
  int64_t expanded = make_divisible(in * s.expand_ratio, 8);
  nn::Sequential block;
  if (s.fused) {
    if (expanded != in) {
      block->push_back(ConvNormAct(in, expanded, s.kernel, stride, 1, silu, bn));
      block->push_back(ConvNormAct(expanded, s.out, 1, 1, 1, MobileActivation::None, bn));
    } else {
      block->push_back(ConvNormAct(in, s.out, s.kernel, stride, 1, silu, bn));
    }
  } else {
    if (expanded != in) block->push_back(ConvNormAct(in, expanded, 1, 1, 1, silu, bn));
    block->push_back(ConvNormAct(expanded, expanded, s.kernel, stride, expanded, silu, bn));
    block->push_back(SqueezeExcitation(expanded, std::max<int64_t>(1, in / 4), silu, MobileActivation::Sigmoid));
    block->push_back(ConvNormAct(expanded, s.out, 1, 1, 1, MobileActivation::None, bn));
  }
  return InvertedResidual("block", block, stride == 1 && in == s.out, stochastic_depth);
}

}  // namespace

EfficientNetImpl::EfficientNetImpl(const std::string& name) {
  const Variant& v = variant_named(kVariants, name, "efficientnet");
  dropout = v.dropout;
  std::vector<Stage> stages = stages_of(v);
  features = nn::Sequential(ConvNormAct(3, stages[0].in, 3, 2, 1, MobileActivation::SiLU, v.norm));
  int64_t total = 0, index = 0;
  for (const Stage& s : stages) total += s.layers;
  for (const Stage& s : stages) {
    NestedSequential stage;
    for (int64_t i = 0; i < s.layers; ++i, ++index) {
      double stochastic_depth = 0.2 * static_cast<double>(index) / static_cast<double>(total);
      stage->push_back(mbconv(s, i == 0 ? s.in : s.out, i == 0 ? s.stride : 1, stochastic_depth, v.norm));
    }
    features->push_back(stage);
  }
  int64_t last_in = stages.back().out;
  features_out = name.rfind("v2", 0) == 0 ? 1280 : 4 * last_in;
  features->push_back(ConvNormAct(last_in, features_out, 1, 1, 1, MobileActivation::SiLU, v.norm));
  register_module("features", features);
}

at::Tensor EfficientNetImpl::forward(const at::Tensor& images) {
  require_rgb_images(images, "efficientnet");
  at::Tensor x = features->forward(images);             // [B, F, H/32, W/32]
  x = at::adaptive_avg_pool2d(x, {1, 1}).flatten(1);    // [B, F]
  return at::dropout(x, dropout, is_training());
}

void EfficientNetImpl::reset_parameters_like_torchvision(uint64_t seed) {
  at::Generator generator = at::detail::createCPUGenerator(seed);
  init_convs_and_norms(*this, ConvInit::KaimingNormalFanOut, generator);
}

std::string EfficientNetImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    return torch.adaptive_avg_pool2d(self.features.forward(x), [1, 1]).flatten(1)\n";
}

void EfficientNetImpl::disable_stochastic_regularisation() {
  dropout = 0.0;
  for (auto& block : modules(/*include_self=*/false)) {
    if (auto* residual = block->as<InvertedResidualImpl>()) residual->stochastic_depth = 0.0;
  }
}

std::shared_ptr<ImageEncoderImpl> make_efficientnet(const std::string& variant) {
  return std::make_shared<EfficientNetImpl>(variant);
}

}  // namespace fdl
