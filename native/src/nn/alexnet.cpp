#include "nn/alexnet.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <cmath>

#include "core/failure.h"

namespace fdl {
namespace {

namespace nn = torch::nn;

nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding));
}

// nn.Conv2d / nn.Linear reset_parameters: kaiming_uniform_(a=sqrt(5)) is uniform(+-1/sqrt(fan_in)),
// and so is the bias.
void pytorch_default_(const at::Tensor& weight, const at::Tensor& bias, at::Generator& generator) {
  double bound = 1.0 / std::sqrt(static_cast<double>(weight.numel() / weight.size(0)));
  for (const at::Tensor& t : {weight, bias}) {
    t.copy_(at::empty(t.sizes(), t.options().device(at::kCPU)).uniform_(-bound, bound, generator));
  }
}

}  // namespace

AlexNetImpl::AlexNetImpl() {
  LayerStack f;
  f->add(conv(3, 64, 11, 4, 2));
  f->relu();
  f->max_pool(3, 2);
  f->add(conv(64, 192, 5, 1, 2));
  f->relu();
  f->max_pool(3, 2);
  f->add(conv(192, 384, 3, 1, 1));
  f->relu();
  f->add(conv(384, 256, 3, 1, 1));
  f->relu();
  f->add(conv(256, 256, 3, 1, 1));
  f->relu();
  f->max_pool(3, 2);
  features = register_module("features", f);
  LayerStack c;
  c->dropout(0.5);
  c->add(nn::Linear(256 * 6 * 6, 4096));
  c->relu();
  c->dropout(0.5);
  c->add(nn::Linear(4096, 4096));
  c->relu();  // classifier.6, the 1000-class layer, is Ludwig's Identity
  classifier = register_module("classifier", c);
}

at::Tensor AlexNetImpl::forward(const at::Tensor& images) {
  at::Tensor x = at::adaptive_avg_pool2d(features->forward(images), {6, 6});  // [B, 256, 6, 6]
  return classifier->forward(x.flatten(1));                                   // [B, 4096]
}

std::string AlexNetImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    x = torch.adaptive_avg_pool2d(self.features.forward(x), [6, 6])\n"
         "    return self.classifier.forward(x.flatten(1))\n";
}

void AlexNetImpl::reset_parameters_like_torchvision(uint64_t seed) {
  at::NoGradGuard no_grad;
  at::Generator generator = at::detail::createCPUGenerator(seed);
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* c = module->as<nn::Conv2d>()) pytorch_default_(c->weight, c->bias, generator);
    if (auto* l = module->as<nn::Linear>()) pytorch_default_(l->weight, l->bias, generator);
  }
}

std::shared_ptr<ImageEncoderImpl> make_alexnet(const std::string& variant) {
  require(variant == "base", "alexnet model_variant must be base, got '" + variant + "'");
  return std::make_shared<AlexNetImpl>();
}

}  // namespace fdl
