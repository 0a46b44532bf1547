#include "nn/text_family_parts.h"

#include <ATen/CPUGeneratorImpl.h>
#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <iomanip>
#include <limits>
#include <sstream>

#include "core/failure.h"

namespace fdl {

HiddenActivation read_activation(const HfConfig& config, const std::string& key, const std::string& fallback) {
  std::string name = config.text(key, fallback);
  if (name == "gelu") return HiddenActivation::Gelu;
  if (name == "gelu_new" || name == "gelu_pytorch_tanh") return HiddenActivation::GeluTanh;
  if (name == "relu") return HiddenActivation::Relu;
  if (name == "silu" || name == "swish") return HiddenActivation::Silu;
  if (name == "tanh") return HiddenActivation::Tanh;
  fail(FDL_ERR_UNSUPPORTED, "config.json " + key + " \"" + name +
                                "\" is not supported (gelu, gelu_new, gelu_pytorch_tanh, relu, silu, swish, tanh)");
}

at::Tensor activate(HiddenActivation activation, const at::Tensor& x) {
  switch (activation) {
    case HiddenActivation::Gelu: return at::gelu(x);
    case HiddenActivation::GeluTanh: return at::gelu(x, "tanh");
    case HiddenActivation::Relu: return at::relu(x);
    case HiddenActivation::Silu: return at::silu(x);
    case HiddenActivation::Tanh: return at::tanh(x);
  }
  fail(FDL_ERR_INTERNAL, "unknown activation");
}

std::string activation_script(HiddenActivation activation, const std::string& x) {
  switch (activation) {
    case HiddenActivation::Gelu: return "torch.gelu(" + x + ")";
    case HiddenActivation::GeluTanh: return "torch.gelu(" + x + ", approximate=\"tanh\")";
    case HiddenActivation::Relu: return "torch.relu(" + x + ")";
    case HiddenActivation::Silu: return "torch.silu(" + x + ")";
    case HiddenActivation::Tanh: return "torch.tanh(" + x + ")";
  }
  fail(FDL_ERR_INTERNAL, "unknown activation");
}

int64_t read_at_least(const HfConfig& config, const std::string& key, int64_t fallback, int64_t minimum) {
  int64_t value = config.integer(key, fallback);
  require(value >= minimum, "config.json " + key + " must be >= " + std::to_string(minimum) + ", got " +
                                std::to_string(value));
  return value;
}

double read_probability(const HfConfig& config, const std::string& key, double fallback) {
  double p = config.number(key, fallback);
  require(p >= 0 && p < 1, "config.json " + key + " must lie in [0, 1), got " + std::to_string(p));
  return p;
}

void require_heads_divide(int64_t hidden, int64_t heads, const std::string& model_type) {
  require(hidden % heads == 0, model_type + " config.json hidden_size (" + std::to_string(hidden) +
                                   ") must be a multiple of num_attention_heads (" + std::to_string(heads) + ")");
}

double lowest_value_of(at::ScalarType dtype) {
  switch (dtype) {
    case at::kFloat: return std::numeric_limits<float>::lowest();
    case at::kDouble: return std::numeric_limits<double>::lowest();
    case at::kHalf: return static_cast<double>(std::numeric_limits<c10::Half>::lowest());
    case at::kBFloat16: return static_cast<double>(std::numeric_limits<c10::BFloat16>::lowest());
    default: break;
  }
  fail(FDL_ERR_INVALID_ARGUMENT, std::string("text encoder activations must be floating point, got ") + c10::toString(dtype));
}

at::Tensor additive_padding_mask(const at::Tensor& attention_mask, at::ScalarType dtype) {
  return (1.0 - attention_mask.to(dtype).unsqueeze(1).unsqueeze(2)) * lowest_value_of(dtype);
}

at::Tensor split_heads(const at::Tensor& x, int64_t heads) {
  return x.view({x.size(0), x.size(1), heads, x.size(2) / heads}).transpose(1, 2);
}

at::Tensor merge_heads(const at::Tensor& x) {
  return x.transpose(1, 2).contiguous().view({x.size(0), x.size(2), x.size(1) * x.size(3)});
}

void normal_init_like_hf(torch::nn::Module& root, double std, uint64_t seed) {
  namespace nn = torch::nn;
  at::Generator generator = at::detail::createCPUGenerator(seed);
  auto normal = [&](at::Tensor& weight) {
    weight.copy_(at::empty(weight.sizes(), weight.options().device(at::kCPU)).normal_(0.0, std, generator));
  };
  at::NoGradGuard no_grad;
  for (const auto& module : root.modules(/*include_self=*/false)) {
    if (auto* linear = module->as<nn::Linear>()) {
      normal(linear->weight);
      if (linear->bias.defined()) linear->bias.zero_();
    } else if (auto* embedding = module->as<nn::Embedding>()) {
      normal(embedding->weight);
      if (auto pad = embedding->options.padding_idx()) embedding->weight[*pad].zero_();
    } else if (auto* norm = module->as<nn::LayerNorm>()) {
      if (norm->weight.defined()) norm->weight.fill_(1.0);
      if (norm->bias.defined()) norm->bias.zero_();
    }
  }
}

at::Tensor run_layer(torch::nn::Module& layer, LayerForward forward, const at::Tensor& x, const at::Tensor& context,
                     bool checkpointing) {
  return checkpointing && layer.is_training() ? checkpoint(layer, forward, x, context) : forward(layer, x, context);
}

std::string script_item(const std::string& owner, int64_t index) {
  return "getattr(" + owner + ", \"" + std::to_string(index) + "\")";
}

DenseActivationImpl::DenseActivationImpl(int64_t in_features, int64_t out_features, HiddenActivation act)
    : activation(act) {
  dense = register_module("dense", torch::nn::Linear(in_features, out_features));
}

at::Tensor DenseActivationImpl::forward(const at::Tensor& x) { return activate(activation, dense(x)); }

std::string DenseActivationImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor) -> Tensor:\n    return " + activation_script(activation, "self.dense.forward(x)") +
         "\n";
}

DenseResidualNormImpl::DenseResidualNormImpl(int64_t in_features, int64_t hidden_size, double layer_norm_eps,
                                             double p) {
  dense = register_module("dense", torch::nn::Linear(in_features, hidden_size));
  LayerNorm = register_module("LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hidden_size}).eps(layer_norm_eps)));
  dropout = register_module("dropout", torch::nn::Dropout(p));
}

at::Tensor DenseResidualNormImpl::forward(const at::Tensor& x, const at::Tensor& residual) {
  return LayerNorm(dropout(dense(x)) + residual);
}

std::string DenseResidualNormImpl::torchscript_forward() const {
  return "def forward(self, x: Tensor, residual: Tensor) -> Tensor:\n"
         "    return self.LayerNorm.forward(self.dense.forward(x) + residual)\n";
}

TanhPoolerImpl::TanhPoolerImpl(int64_t hidden_size) {
  dense = register_module("dense", torch::nn::Linear(hidden_size, hidden_size));
}

at::Tensor TanhPoolerImpl::forward(const at::Tensor& hidden) { return at::tanh(dense(hidden.select(1, 0))); }

std::string TanhPoolerImpl::torchscript_forward() const {
  return "def forward(self, hidden: Tensor) -> Tensor:\n    return torch.tanh(self.dense.forward(hidden.select(1, 0)))\n";
}

}  // namespace fdl
