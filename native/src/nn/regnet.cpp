// RegNet as torchvision builds it. The stage widths and depths come from the design-space parameters
// (depth, w_0, w_a, w_m, group width) exactly as BlockParams.from_init_params computes them: the
// quantisation runs on float32 tensors there, so it runs on the same ATen ops here.
#include "nn/regnet.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <vector>

#include "core/failure.h"

namespace fdl {

namespace nn = torch::nn;

namespace {

struct Design {
  const char* name;
  int64_t depth, w_0;
  double w_a, w_m;
  int64_t group_width;
  bool se;  // RegNetY: squeeze-excitation with ratio 0.25
};

// regnet.py's regnet_* builders.
const std::vector<Design> kDesigns = {
    {"x_400mf", 22, 24, 24.48, 2.54, 16, false},    {"x_800mf", 16, 56, 35.73, 2.28, 16, false},
    {"x_1_6gf", 18, 80, 34.01, 2.25, 24, false},    {"x_3_2gf", 25, 88, 26.31, 2.25, 48, false},
    {"x_8gf", 23, 80, 49.56, 2.88, 120, false},     {"x_16gf", 22, 216, 55.59, 2.1, 128, false},
    {"x_32gf", 23, 320, 69.86, 2.0, 168, false},    {"y_400mf", 16, 48, 27.89, 2.09, 8, true},
    {"y_800mf", 14, 56, 38.84, 2.4, 16, true},      {"y_1_6gf", 27, 48, 20.71, 2.65, 24, true},
    {"y_3_2gf", 21, 80, 42.63, 2.66, 24, true},     {"y_8gf", 17, 192, 76.82, 2.19, 56, true},
    {"y_16gf", 18, 200, 106.23, 2.48, 112, true},   {"y_32gf", 20, 232, 115.89, 2.53, 232, true},
    {"y_128gf", 27, 456, 160.83, 2.52, 264, true},
};

struct Stage {
  int64_t width, depth, group_width;
};

std::vector<Stage> stages_of(const Design& d) {
  // Per-block widths: w_0 * w_m^round(log(w_cont / w_0) / log(w_m)), quantised to multiples of 8.
  at::Tensor widths_cont = at::arange(d.depth) * d.w_a + static_cast<double>(d.w_0);  // float32, as in Python
  at::Tensor capacity = at::round(at::log(widths_cont / static_cast<double>(d.w_0)) / std::log(d.w_m));
  at::Tensor widths = (at::round(at::pow(d.w_m, capacity).mul(static_cast<double>(d.w_0)) / 8) * 8).to(at::kInt);
  // A stage is a run of equal widths; _adjust_widths_groups_compatibilty (bottleneck ratio 1) then
  // caps the group width at the stage width and rounds the width to a multiple of it.
  std::vector<Stage> stages;
  for (int64_t i = 0; i < d.depth; ++i) {
    int64_t w = widths[i].item<int>();
    if (stages.empty() || stages.back().width != w) {
      stages.push_back({w, 0, 0});
    }
    ++stages.back().depth;
  }
  for (Stage& s : stages) {
    s.group_width = std::min(d.group_width, s.width);
    s.width = make_divisible(static_cast<double>(s.width), s.group_width);
  }
  return stages;
}

}  // namespace

RegNetBlockImpl::RegNetBlockImpl(int64_t in, int64_t out, int64_t stride, int64_t group_width, bool se) {
  if (in != out || stride != 1) {
    proj = register_module("proj", ConvNormAct(in, out, 1, stride, 1, MobileActivation::None));
  }
  f = nn::Sequential();
  f->push_back("a", nn::AnyModule(ConvNormAct(in, out, 1, 1, 1, MobileActivation::ReLU)));
  f->push_back("b", nn::AnyModule(ConvNormAct(out, out, 3, stride, out / group_width, MobileActivation::ReLU)));
  if (se) {
    int64_t squeeze = std::lround(0.25 * static_cast<double>(in));
    f->push_back("se",
                 nn::AnyModule(SqueezeExcitation(out, squeeze, MobileActivation::ReLU, MobileActivation::Sigmoid)));
  }
  f->push_back("c", nn::AnyModule(ConvNormAct(out, out, 1, 1, 1, MobileActivation::None)));
  register_module("f", f);
}

at::Tensor RegNetBlockImpl::forward(const at::Tensor& x) {
  at::Tensor shortcut = proj ? proj->forward(x) : x;
  return at::relu(shortcut + f->forward(x));
}

std::string RegNetBlockImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n    return torch.relu(" +
         std::string(proj ? "self.proj.forward(x)" : "x") + " + self.f.forward(x))\n";
}

RegNetImpl::RegNetImpl(const std::string& variant) {
  const Design& d = variant_named(kDesigns, variant, "regnet");
  stem = register_module("stem", ConvNormAct(3, 32, 3, 2, 1, MobileActivation::ReLU));
  trunk_output = nn::Sequential();
  int64_t width = 32;
  std::vector<Stage> stages = stages_of(d);
  for (size_t i = 0; i < stages.size(); ++i) {
    std::string name = "block" + std::to_string(i + 1);
    NestedSequential stage;
    for (int64_t b = 0; b < stages[i].depth; ++b) {
      stage->push_back(name + "-" + std::to_string(b),
                       nn::AnyModule(RegNetBlock(b == 0 ? width : stages[i].width, stages[i].width, b == 0 ? 2 : 1,
                                                 stages[i].group_width, d.se)));
    }
    trunk_output->push_back(name, nn::AnyModule(stage));
    width = stages[i].width;
  }
  features_out = width;
  register_module("trunk_output", trunk_output);
}

at::Tensor RegNetImpl::forward(const at::Tensor& images) {
  require_rgb_images(images, "regnet");
  at::Tensor x = trunk_output->forward(stem->forward(images));  // [B, F, H/32, W/32]
  return at::adaptive_avg_pool2d(x, {1, 1}).flatten(1);        // [B, F]
}

void RegNetImpl::reset_parameters_like_torchvision(uint64_t seed) {
  // normal(0, sqrt(2 / fan_out)) for convolution weights; RegNet leaves their biases (the
  // squeeze-excitation's) at nn.Conv2d's default.
  at::Generator generator = at::detail::createCPUGenerator(seed);
  init_convs_and_norms(*this, ConvInit::KaimingNormalFanOut, generator, /*default_conv_bias=*/true);
}

std::string RegNetImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    x = self.trunk_output.forward(self.stem.forward(x))\n"
         "    return torch.adaptive_avg_pool2d(x, [1, 1]).flatten(1)\n";
}

std::shared_ptr<ImageEncoderImpl> make_regnet(const std::string& variant) {
  return std::make_shared<RegNetImpl>(variant);
}

}  // namespace fdl
