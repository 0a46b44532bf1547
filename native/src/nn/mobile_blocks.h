// The building blocks torchvision's mobile and efficient families share (torchvision/ops/misc.py and
// the inverted residuals of mobilenetv2.py, mobilenetv3.py, efficientnet.py, mnasnet.py), under
// torchvision's state_dict names, each with its own TorchScript forward (evaluation mode).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/failure.h"
#include "nn/layer_stack.h"
#include "nn/torchscript_source.h"

namespace fdl {

enum class MobileActivation { None, ReLU, ReLU6, Hardswish, SiLU, Sigmoid, Hardsigmoid };

at::Tensor apply_activation(MobileActivation activation, const at::Tensor& x);
// The same activation as TorchScript applied to the expression x.
std::string activation_source(MobileActivation activation, const std::string& x);

// torchvision's BatchNorm2d arguments per family (mobilenetv3 and efficientnet b5-b7: eps 1e-3, momentum 0.01).
struct BatchNormSpec {
  double eps = 1e-5;
  double momentum = 0.1;
};

torch::nn::BatchNorm2d batch_norm(int64_t channels, const BatchNormSpec& spec = {});
// A bias-free convolution padded by (kernel - 1) / 2, as Conv2dNormActivation pads (no family Ludwig
// lists dilates).
torch::nn::Conv2d same_conv(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1, int64_t groups = 1);

// An activation as a module, where torchvision keeps one in a Sequential (its index shifts the keys after it).
struct ActivationLayerImpl : torch::nn::Module, TorchScriptSource {
  explicit ActivationLayerImpl(MobileActivation activation) : activation(activation) {}
  at::Tensor forward(const at::Tensor& x) { return apply_activation(activation, x); }
  std::string torchscript_forward() const override;
  MobileActivation activation;
};
TORCH_MODULE(ActivationLayer);

// torchvision.ops.Conv2dNormActivation: "0" the convolution, "1" the batch norm, then the activation.
struct ConvNormActImpl : torch::nn::Module, TorchScriptSource {
  ConvNormActImpl(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t groups, MobileActivation activation,
                  const BatchNormSpec& norm = {});
  at::Tensor forward(const at::Tensor& x);  // [B, in, H, W] -> [B, out, H/stride, W/stride]
  std::string torchscript_forward() const override;

  MobileActivation activation;
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d norm{nullptr};
};
TORCH_MODULE(ConvNormAct);

// torchvision.ops.SqueezeExcitation: the input scaled per channel by gate(fc2(act(fc1(mean over H, W)))).
struct SqueezeExcitationImpl : torch::nn::Module, TorchScriptSource {
  SqueezeExcitationImpl(int64_t channels, int64_t squeeze_channels, MobileActivation activation,
                        MobileActivation gate);
  at::Tensor forward(const at::Tensor& x);  // [B, C, H, W] -> [B, C, H, W]
  std::string torchscript_forward() const override;

  MobileActivation activation, gate;
  torch::nn::Conv2d fc1{nullptr}, fc2{nullptr};  // 1x1 convolutions with bias
};
TORCH_MODULE(SqueezeExcitation);

// An inverted residual as the families write it: a body Sequential under the family's name ("conv"
// in mobilenetv2, "block" in mobilenetv3 and efficientnet, "layers" in mnasnet), plus the input when
// the shapes allow. Stochastic depth (efficientnet) drops the body per row in training only.
struct InvertedResidualImpl : torch::nn::Module, TorchScriptSource {
  InvertedResidualImpl(const std::string& body_name, torch::nn::Sequential body, bool residual,
                       double stochastic_depth = 0.0);
  at::Tensor forward(const at::Tensor& x);
  std::string torchscript_forward() const override;

  std::string body_name;
  torch::nn::Sequential body;
  bool residual;
  double stochastic_depth;
};
TORCH_MODULE(InvertedResidual);

// torchvision's _make_divisible: v rounded to the nearest multiple of divisor, at least min_value
// (divisor when 0), never below 90% of v.
int64_t make_divisible(double v, int64_t divisor, int64_t min_value = 0);

// How a family's constructor initialises its convolutions.
enum class ConvInit {
  KaimingNormalFanOut,  // kaiming_normal_(mode="fan_out"): std sqrt(2 / (out * kh * kw))
  KaimingNormalFanIn,   // kaiming_normal_(): std sqrt(2 / (in / groups * kh * kw)) (densenet)
  PyTorchDefault,       // nn.Conv2d's own reset_parameters (shufflenet sets nothing)
};

// torchvision's initialisation of every Conv2d (bias zeroed unless default_conv_bias, as regnet leaves
// it at nn.Conv2d's default) and BatchNorm2d (weight 1, bias 0, statistics reset) under m, from generator;
// Linear layers are left to the family.
void init_convs_and_norms(torch::nn::Module& m, ConvInit init, at::Generator& generator,
                          bool default_conv_bias = false);

// The entry of a family's variant table (entries with a `name`) called name; FDL_ERR_INVALID_ARGUMENT
// listing the names otherwise.
template <class Entry>
const Entry& variant_named(const std::vector<Entry>& table, const std::string& name, const std::string& family) {
  std::string names;
  for (const Entry& e : table) {
    if (name == e.name) return e;
    names += (names.empty() ? "" : ", ") + std::string(e.name);
  }
  fail(FDL_ERR_INVALID_ARGUMENT, family + " model_variant must be one of " + names + "; got '" + name + "'");
}

// Throws FDL_ERR_INVALID_ARGUMENT unless images is floating point [B, 3, H, W] and non-empty.
void require_rgb_images(const at::Tensor& images, const std::string& family);

}  // namespace fdl
