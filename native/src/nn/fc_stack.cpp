#include "nn/fc_stack.h"

#include <cmath>

#include "core/failure.h"

namespace fdl {
at::Tensor activate(const at::Tensor& x, Activation activation) {
  switch (activation) {
    case Activation::Relu: return at::relu(x);
    case Activation::Tanh: return at::tanh(x);
    case Activation::Sigmoid: return at::sigmoid(x);
    case Activation::Gelu: return at::gelu(x);
    case Activation::Elu: return at::elu(x);
    case Activation::LeakyRelu: return at::leaky_relu(x, 0.01);
    case Activation::None: return x;
  }
  return x;
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
  dense = register_module("dense",
                          torch::nn::Linear(torch::nn::LinearOptions(input_size, spec.output_size).bias(spec.use_bias)));
  switch (spec.norm) {
    case Norm::Batch:
      batch_norm = register_module("norm", RowBatchNorm(spec.output_size, spec.norm_params));
      break;
    case Norm::Layer:
      layer_norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({spec.output_size})
                                                                     .eps(valid(spec.norm_params).epsilon)));
      break;
    case Norm::Ghost:
      ghost_norm = register_module("norm", GhostBatchNorm(spec.output_size, spec.norm_params));
      break;
    case Norm::None: break;
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
