#include "nn/mobile_blocks.h"

#include <ATen/ATen.h>

#include <cmath>
#include <functional>
#include <utility>

#include "core/failure.h"
#include "core/tensor_checks.h"

namespace fdl {

namespace nn = torch::nn;

at::Tensor apply_activation(MobileActivation activation, const at::Tensor& x) {
  switch (activation) {
    case MobileActivation::None: return x;
    case MobileActivation::ReLU: return at::relu(x);
    case MobileActivation::ReLU6: return at::hardtanh(x, 0.0, 6.0);
    case MobileActivation::Hardswish: return at::hardswish(x);
    case MobileActivation::SiLU: return at::silu(x);
    case MobileActivation::Sigmoid: return at::sigmoid(x);
    case MobileActivation::Hardsigmoid: return at::hardsigmoid(x);
  }
  fail(FDL_ERR_INTERNAL, "unknown activation");
}

std::string activation_source(MobileActivation activation, const std::string& x) {
  switch (activation) {
    case MobileActivation::None: return x;
    case MobileActivation::ReLU: return "torch.relu(" + x + ")";
    case MobileActivation::ReLU6: return "torch.hardtanh(" + x + ", 0.0, 6.0)";
    case MobileActivation::Hardswish: return "torch.hardswish(" + x + ")";
    case MobileActivation::SiLU: return "torch.silu(" + x + ")";
    case MobileActivation::Sigmoid: return "torch.sigmoid(" + x + ")";
    case MobileActivation::Hardsigmoid: return "torch.hardsigmoid(" + x + ")";
  }
  fail(FDL_ERR_INTERNAL, "unknown activation");
}

nn::BatchNorm2d batch_norm(int64_t channels, const BatchNormSpec& spec) {
  return nn::BatchNorm2d(nn::BatchNorm2dOptions(channels).eps(spec.eps).momentum(spec.momentum));
}

nn::Conv2d same_conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t groups) {
  return nn::Conv2d(
      nn::Conv2dOptions(in, out, kernel).stride(stride).padding((kernel - 1) / 2).groups(groups).bias(false));
}

std::string ActivationLayerImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n    return " + activation_source(activation, "x") + "\n";
}

ConvNormActImpl::ConvNormActImpl(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t groups,
                                 MobileActivation activation, const BatchNormSpec& norm_spec)
    : activation(activation) {
  conv = register_module("0", same_conv(in, out, kernel, stride, groups));
  norm = register_module("1", batch_norm(out, norm_spec));
}

at::Tensor ConvNormActImpl::forward(const at::Tensor& x) {
  return apply_activation(activation, norm->forward(conv->forward(x)));
}

std::string ConvNormActImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    x = getattr(self, \"1\").forward(getattr(self, \"0\").forward(x))\n"
         "    return " + activation_source(activation, "x") + "\n";
}

SqueezeExcitationImpl::SqueezeExcitationImpl(int64_t channels, int64_t squeeze_channels, MobileActivation activation,
                                             MobileActivation gate)
    : activation(activation), gate(gate) {
  fc1 = register_module("fc1", nn::Conv2d(nn::Conv2dOptions(channels, squeeze_channels, 1)));
  fc2 = register_module("fc2", nn::Conv2d(nn::Conv2dOptions(squeeze_channels, channels, 1)));
}

at::Tensor SqueezeExcitationImpl::forward(const at::Tensor& x) {
  at::Tensor scale = at::adaptive_avg_pool2d(x, {1, 1});                     // [B, C, 1, 1]
  scale = fc2->forward(apply_activation(activation, fc1->forward(scale)));  // [B, C, 1, 1]
  return apply_activation(gate, scale) * x;
}

std::string SqueezeExcitationImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n"
         "    scale = torch.adaptive_avg_pool2d(x, [1, 1])\n"
         "    scale = self.fc2.forward(" + activation_source(activation, "self.fc1.forward(scale)") + ")\n"
         "    return " + activation_source(gate, "scale") + " * x\n";
}

InvertedResidualImpl::InvertedResidualImpl(const std::string& body_name, nn::Sequential body, bool residual,
                                           double stochastic_depth)
    : body_name(body_name), body(std::move(body)), residual(residual), stochastic_depth(stochastic_depth) {
  register_module(body_name, this->body);
}

at::Tensor InvertedResidualImpl::forward(const at::Tensor& x) {
  at::Tensor out = body->forward(x);
  if (!residual) return out;
  if (is_training() && stochastic_depth > 0.0) {
    // torchvision.ops.stochastic_depth(mode="row"): keep each row with probability 1 - p, rescaled.
    double survival = 1.0 - stochastic_depth;
    at::Tensor keep = at::empty({out.size(0), 1, 1, 1}, out.options()).bernoulli_(survival);
    out = out * keep.div_(survival);
  }
  return out + x;
}

std::string InvertedResidualImpl::torchscript_forward() const {
  std::string body_call = "self." + body_name + ".forward(x)";
  return "def forward(self, x: Tensor) -> Tensor:\n    return " + (residual ? body_call + " + x" : body_call) + "\n";
}

int64_t make_divisible(double v, int64_t divisor, int64_t min_value) {
  if (min_value == 0) min_value = divisor;
  int64_t rounded = std::max<int64_t>(min_value, static_cast<int64_t>(v + divisor / 2.0) / divisor * divisor);
  if (rounded < 0.9 * v) rounded += divisor;
  return rounded;
}

namespace {

// Fills w in place with values drawn on the CPU, so they do not depend on the device.
void draw(const at::Tensor& w, const std::function<void(at::Tensor&)>& sample) {
  at::Tensor cpu = at::empty(w.sizes(), w.options().device(at::kCPU));
  sample(cpu);
  w.copy_(cpu);
}

}  // namespace

void init_convs_and_norms(nn::Module& m, ConvInit init, at::Generator& generator, bool default_conv_bias) {
  at::NoGradGuard no_grad;
  for (auto& module : m.modules(/*include_self=*/true)) {
    if (auto* c = module->as<nn::Conv2d>()) {
      const at::Tensor& w = c->weight;
      double receptive = static_cast<double>(w.size(2) * w.size(3));
      double fan_in = static_cast<double>(w.size(1)) * receptive, fan_out = static_cast<double>(w.size(0)) * receptive;
      switch (init) {
        case ConvInit::KaimingNormalFanOut:
          draw(w, [&](at::Tensor& t) { t.normal_(0.0, std::sqrt(2.0 / fan_out), generator); });
          break;
        case ConvInit::KaimingNormalFanIn:
          draw(w, [&](at::Tensor& t) { t.normal_(0.0, std::sqrt(2.0 / fan_in), generator); });
          break;
        case ConvInit::PyTorchDefault:
          // kaiming_uniform_(a=sqrt(5)): bound sqrt(6 / ((1 + 5) * fan_in)) = 1 / sqrt(fan_in)
          draw(w, [&](at::Tensor& t) { t.uniform_(-1.0 / std::sqrt(fan_in), 1.0 / std::sqrt(fan_in), generator); });
          break;
      }
      if (c->bias.defined()) {
        if (default_conv_bias || init == ConvInit::PyTorchDefault) {
          double bound = 1.0 / std::sqrt(fan_in);
          draw(c->bias, [&](at::Tensor& t) { t.uniform_(-bound, bound, generator); });
        } else {
          c->bias.zero_();
        }
      }
    } else if (auto* bn = module->as<nn::BatchNorm2d>()) {
      bn->weight.fill_(1.0);
      bn->bias.zero_();
      bn->running_mean.zero_();
      bn->running_var.fill_(1.0);
      bn->num_batches_tracked.zero_();
    }
  }
}

void require_rgb_images(const at::Tensor& images, const std::string& family) {
  require(images.dim() == 4 && images.is_floating_point() && images.size(1) == 3,
          family + " takes floating point images [batch, 3, height, width], got " +
              c10::toString(images.scalar_type()) + " " + shape_string(images.sizes()));
  require(images.size(0) > 0 && images.size(2) > 0 && images.size(3) > 0,
          family + " images are empty: " + shape_string(images.sizes()));
}

}  // namespace fdl
