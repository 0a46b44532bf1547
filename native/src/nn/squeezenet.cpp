#include "nn/squeezenet.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "core/failure.h"

namespace fdl {
namespace {

namespace nn = torch::nn;

nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1, int64_t padding = 0) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding));
}

}  // namespace

FireImpl::FireImpl(int64_t in, int64_t squeeze_planes, int64_t expand1x1_planes, int64_t expand3x3_planes) {
  squeeze = register_module("squeeze", conv(in, squeeze_planes, 1));
  expand1x1 = register_module("expand1x1", conv(squeeze_planes, expand1x1_planes, 1));
  expand3x3 = register_module("expand3x3", conv(squeeze_planes, expand3x3_planes, 3, 1, 1));
}

at::Tensor FireImpl::forward(const at::Tensor& input) {
  at::Tensor x = at::relu(squeeze->forward(input));
  return at::cat({at::relu(expand1x1->forward(x)), at::relu(expand3x3->forward(x))}, 1);
}

std::string FireImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    x = torch.relu(self.squeeze.forward(x))\n"
         "    return torch.cat([torch.relu(self.expand1x1.forward(x)), torch.relu(self.expand3x3.forward(x))], 1)\n";
}

SqueezeNetImpl::SqueezeNetImpl(const std::string& version) {
  LayerStack f;
  auto pool = [&] { f->max_pool(3, 2, 0, /*ceil_mode=*/true); };
  if (version == "1_0") {
    f->add(conv(3, 96, 7, 2));
    f->relu();
    pool();
    f->add(Fire(96, 16, 64, 64));
    f->add(Fire(128, 16, 64, 64));
    f->add(Fire(128, 32, 128, 128));
    pool();
    f->add(Fire(256, 32, 128, 128));
    f->add(Fire(256, 48, 192, 192));
    f->add(Fire(384, 48, 192, 192));
    f->add(Fire(384, 64, 256, 256));
    pool();
    f->add(Fire(512, 64, 256, 256));
  } else {
    require(version == "1_1", "squeezenet model_variant must be 1_0 or 1_1, got '" + version + "'");
    f->add(conv(3, 64, 3, 2));
    f->relu();
    pool();
    f->add(Fire(64, 16, 64, 64));
    f->add(Fire(128, 16, 64, 64));
    pool();
    f->add(Fire(128, 32, 128, 128));
    f->add(Fire(256, 32, 128, 128));
    pool();
    f->add(Fire(256, 48, 192, 192));
    f->add(Fire(384, 48, 192, 192));
    f->add(Fire(384, 64, 256, 256));
    f->add(Fire(512, 64, 256, 256));
  }
  features = register_module("features", f);
  LayerStack c;
  c->dropout(0.5);
  c->add(conv(512, 1000, 1));  // final_conv
  c->relu();
  classifier = register_module("classifier", c);
}

at::Tensor SqueezeNetImpl::forward(const at::Tensor& images) {
  at::Tensor x = classifier->forward(features->forward(images));  // [B, 1000, h, w]
  return at::adaptive_avg_pool2d(x, {1, 1}).flatten(1);          // [B, 1000]
}

std::string SqueezeNetImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    x = self.classifier.forward(self.features.forward(x))\n"
         "    return torch.adaptive_avg_pool2d(x, [1, 1]).flatten(1)\n";
}

void SqueezeNetImpl::reset_parameters_like_torchvision(uint64_t seed) {
  at::NoGradGuard no_grad;
  at::Generator generator = at::detail::createCPUGenerator(seed);
  const nn::Module* final_conv = classifier->named_children()["1"].get();
  for (auto& module : modules(/*include_self=*/false)) {
    auto* c = module->as<nn::Conv2d>();
    if (!c) continue;
    at::Tensor values = at::empty(c->weight.sizes(), c->weight.options().device(at::kCPU));
    if (module.get() == final_conv) {
      values.normal_(0.0, 0.01, generator);
    } else {  // kaiming_uniform_(a=0, fan_in, leaky_relu): bound sqrt(6 / fan_in)
      double bound = std::sqrt(6.0 / static_cast<double>(c->weight.numel() / c->weight.size(0)));
      values.uniform_(-bound, bound, generator);
    }
    c->weight.copy_(values);
    c->bias.zero_();
  }
}

std::shared_ptr<ImageEncoderImpl> make_squeezenet(const std::string& variant) {
  return std::make_shared<SqueezeNetImpl>(variant);
}

}  // namespace fdl
