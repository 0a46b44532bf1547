#include "nn/vgg.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <vector>

#include "core/failure.h"
#include "nn/resnet.h"

namespace fdl {
namespace {

namespace nn = torch::nn;

constexpr int64_t kPool = 0;  // "M" in torchvision's cfgs

std::vector<int64_t> configuration(int64_t depth) {
  switch (depth) {
    case 11: return {64, kPool, 128, kPool, 256, 256, kPool, 512, 512, kPool, 512, 512, kPool};
    case 13: return {64, 64, kPool, 128, 128, kPool, 256, 256, kPool, 512, 512, kPool, 512, 512, kPool};
    case 16: return {64, 64, kPool, 128, 128, kPool, 256, 256, 256, kPool, 512, 512, 512, kPool, 512, 512, 512, kPool};
    case 19:
      return {64, 64, kPool, 128, 128, kPool, 256, 256, 256, 256, kPool, 512, 512, 512, 512, kPool,
              512, 512, 512, 512, kPool};
  }
  fail(FDL_ERR_INVALID_ARGUMENT, "vgg depth must be 11, 13, 16 or 19, got " + std::to_string(depth));
}

}  // namespace

VggImpl::VggImpl(int64_t depth, bool batch_norm) {
  LayerStack f;
  int64_t in = 3;
  for (int64_t v : configuration(depth)) {
    if (v == kPool) {
      f->max_pool(2, 2);
      continue;
    }
    f->add(nn::Conv2d(nn::Conv2dOptions(in, v, 3).padding(1)));
    if (batch_norm) f->add(nn::BatchNorm2d(v));
    f->relu();
    in = v;
  }
  features = register_module("features", f);
  LayerStack c;
  c->add(nn::Linear(512 * 7 * 7, 4096));
  c->relu();
  c->dropout(0.5);
  c->add(nn::Linear(4096, 4096));
  c->relu();
  c->dropout(0.5);  // classifier.6, the 1000-class layer, is Ludwig's Identity
  classifier = register_module("classifier", c);
}

at::Tensor VggImpl::forward(const at::Tensor& images) {
  at::Tensor x = at::adaptive_avg_pool2d(features->forward(images), {7, 7});  // [B, 512, 7, 7]
  return classifier->forward(x.flatten(1));                                   // [B, 4096]
}

std::string VggImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    x = torch.adaptive_avg_pool2d(self.features.forward(x), [7, 7])\n"
         "    return self.classifier.forward(x.flatten(1))\n";
}

void VggImpl::reset_parameters_like_torchvision(uint64_t seed) {
  at::NoGradGuard no_grad;
  at::Generator generator = at::detail::createCPUGenerator(seed);
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* conv = module->as<nn::Conv2d>()) {
      kaiming_normal_fan_out_(conv->weight, generator);
      conv->bias.zero_();
    } else if (auto* bn = module->as<nn::BatchNorm2d>()) {
      bn->reset_parameters();
    } else if (module->as<nn::Linear>()) {
      normal_linear_(*module, 0.01, generator);
    }
  }
}

std::shared_ptr<ImageEncoderImpl> make_vgg(const std::string& variant) {
  bool batch_norm = variant.size() > 3 && variant.substr(variant.size() - 3) == "_bn";
  std::string depth = batch_norm ? variant.substr(0, variant.size() - 3) : variant;
  require(depth == "11" || depth == "13" || depth == "16" || depth == "19",
          "vgg model_variant must be 11, 11_bn, 13, 13_bn, 16, 16_bn, 19 or 19_bn, got '" + variant + "'");
  return std::make_shared<VggImpl>(std::stoll(depth), batch_norm);
}

}  // namespace fdl
