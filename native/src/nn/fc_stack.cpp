#include "nn/fc_stack.h"

#include <cmath>

#include "core/failure.h"

namespace fdl {
at::Tensor activate(const at::Tensor& x, fdl_activation activation) {
  switch (activation) {
    case FDL_ACTIVATION_RELU: return at::relu(x);
    case FDL_ACTIVATION_TANH: return at::tanh(x);
    case FDL_ACTIVATION_SIGMOID: return at::sigmoid(x);
    case FDL_ACTIVATION_ELU: return at::elu(x);
    case FDL_ACTIVATION_LEAKY_RELU: return at::leaky_relu(x, 0.01);
    case FDL_ACTIVATION_LOG_SIGMOID: return at::log_sigmoid(x);
    case FDL_ACTIVATION_SOFTMAX: return at::softmax(x, -1);  // torch.nn.Softmax() on [B, D]: over D
    case FDL_ACTIVATION_NONE: return x;
  }
  fail(FDL_ERR_INVALID_ARGUMENT, "unknown activation code " + std::to_string(static_cast<int>(activation)));
}

std::vector<FcLayerSpec> fc_layers_of(const fdl_fc_stack& stack, const std::string& what) {
  require(stack.n_layers >= 0, what + ": n_layers must be >= 0, got " + std::to_string(stack.n_layers));
  require(stack.n_layers == 0 || stack.layers != nullptr, what + ": layers is NULL");
  return std::vector<FcLayerSpec>(stack.layers, stack.layers + stack.n_layers);
}

namespace {

const NormParams& valid(const NormParams& params) {
  require(std::isfinite(params.momentum) && params.momentum >= 0 && params.momentum <= 1,
          "norm_params.momentum must lie in [0, 1], got " + std::to_string(params.momentum));
  require(std::isfinite(params.epsilon) && params.epsilon > 0,
          "norm_params.epsilon must be positive, got " + std::to_string(params.epsilon));
  return params;
}

}  // namespace

RowBatchNormImpl::RowBatchNormImpl(int64_t features, const NormParams& params) {
  bn = register_module("bn", torch::nn::BatchNorm1d(torch::nn::BatchNormOptions(features)
                                                        .momentum(valid(params).momentum)
                                                        .eps(params.epsilon)));
}

at::Tensor RowBatchNormImpl::forward(const at::Tensor& x) {
  if (is_training() && x.size(0) == 1) return x;
  return bn->forward(x);
}

GhostBatchNormImpl::GhostBatchNormImpl(int64_t features, const NormParams& params)
    : RowBatchNormImpl(features, params), virtual_batch_size(params.virtual_batch_size) {
  require(virtual_batch_size > 0, "norm_params.virtual_batch_size must be positive, got " +
                                      std::to_string(virtual_batch_size));
}

at::Tensor GhostBatchNormImpl::forward(const at::Tensor& x) {
  if (!is_training() || x.size(0) <= virtual_batch_size) return RowBatchNormImpl::forward(x);
  int64_t chunks = (x.size(0) + virtual_batch_size - 1) / virtual_batch_size;
  std::vector<at::Tensor> normalised;
  for (const at::Tensor& chunk : x.chunk(chunks, 0)) normalised.push_back(RowBatchNormImpl::forward(chunk));
  return at::cat(normalised, 0);
}

FcLayerImpl::FcLayerImpl(int64_t input_size, const FcLayerSpec& layer_spec) : spec(layer_spec) {
  require(spec.output_size > 0, "fc layer output_size must be positive, got " + std::to_string(spec.output_size));
  require(spec.dropout >= 0 && spec.dropout < 1, "dropout must lie in [0, 1), got " + std::to_string(spec.dropout));
  require(spec.use_bias == 0 || spec.use_bias == 1, "use_bias must be 0 or 1, got " + std::to_string(spec.use_bias));
  activate(at::zeros({1}), spec.activation);  // an unknown code fails here, not at the first batch
  dense = register_module("dense",
                          torch::nn::Linear(torch::nn::LinearOptions(input_size, spec.output_size).bias(spec.use_bias != 0)));
  if (spec.use_bias != 0) {
    torch::NoGradGuard no_grad;
    switch (spec.bias_initializer) {
      case FDL_BIAS_INITIALIZER_ZEROS: dense->bias.zero_(); break;
      case FDL_BIAS_INITIALIZER_ONES: dense->bias.fill_(1); break;
      case FDL_BIAS_INITIALIZER_NORMAL: dense->bias.normal_(0, 1); break;
      case FDL_BIAS_INITIALIZER_UNIFORM: dense->bias.uniform_(0, 1); break;
      default: fail(FDL_ERR_INVALID_ARGUMENT, "unknown bias_initializer code " + std::to_string(spec.bias_initializer));
    }
  }
  switch (spec.norm) {
    case FDL_NORM_BATCH:
      batch_norm = register_module("norm", RowBatchNorm(spec.output_size, spec.norm_params));
      break;
    case FDL_NORM_LAYER:
      layer_norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({spec.output_size})
                                                                     .eps(valid(spec.norm_params).epsilon)));
      break;
    case FDL_NORM_GHOST:
      ghost_norm = register_module("norm", GhostBatchNorm(spec.output_size, spec.norm_params));
      break;
    case FDL_NORM_NONE: break;
    default: fail(FDL_ERR_INVALID_ARGUMENT, "unknown norm code " + std::to_string(static_cast<int>(spec.norm)));
  }
  dropout = register_module("dropout", torch::nn::Dropout(spec.dropout));
}

at::Tensor FcLayerImpl::forward(at::Tensor x) {
  x = dense->forward(x);
  if (batch_norm) x = batch_norm->forward(x);
  if (layer_norm) x = layer_norm->forward(x);
  if (ghost_norm) x = ghost_norm->forward(x);
  return dropout->forward(activate(x, spec.activation));
}

FcStackImpl::FcStackImpl(int64_t input_size, const std::vector<FcLayerSpec>& specs, bool is_residual)
    : residual(is_residual), output_size_(input_size) {
  for (const FcLayerSpec& spec : specs) {
    layers->push_back(FcLayer(output_size_, spec));
    output_size_ = spec.output_size;
  }
  register_module("layers", layers);
}

at::Tensor FcStackImpl::forward(at::Tensor x) {
  for (auto& layer : *layers) {
    at::Tensor out = layer->as<FcLayer>()->forward(x);
    x = residual && out.sizes() == x.sizes() ? x + out : out;
  }
  return x;
}

}  // namespace fdl
