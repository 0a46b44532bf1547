// Ludwig's FCStack: per layer Linear -> norm -> activation -> dropout. Used by the concat
// combiner and by output decoders.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <vector>

namespace fdl {

enum class Activation { Relu, Tanh, Sigmoid, Gelu, Elu, LeakyRelu, None };
enum class Norm { None, Batch, Layer, Ghost };

at::Tensor activate(const at::Tensor& x, Activation activation);

struct NormParams {
  int64_t virtual_batch_size = 128;  // ghost batch norm only
  double momentum = 0.1;             // PyTorch convention: weight of the new batch statistics
  double epsilon = 1e-5;
};

struct FcLayerSpec {
  int64_t output_size;
  Activation activation = Activation::Relu;
  double dropout = 0.0;
  Norm norm = Norm::None;
};

// Ghost batch norm (Hoffer et al. 2017, as in Ludwig/TabNet): in training each virtual batch of
// virtual_batch_size rows is normalised with its own statistics (each updates the running ones);
// in evaluation the running statistics are used, as plain batch norm does.
struct GhostBatchNormImpl : torch::nn::Module {
  GhostBatchNormImpl(int64_t features, const NormParams& params);
  at::Tensor forward(const at::Tensor& x);

  int64_t virtual_batch_size;
  torch::nn::BatchNorm1d bn{nullptr};
};
TORCH_MODULE(GhostBatchNorm);

struct FcLayerImpl : torch::nn::Module {
  FcLayerImpl(int64_t input_size, const FcLayerSpec& spec, const NormParams& norm_params);
  at::Tensor forward(at::Tensor x);

  FcLayerSpec spec;
  torch::nn::Linear dense{nullptr};
  torch::nn::BatchNorm1d batch_norm{nullptr};
  torch::nn::LayerNorm layer_norm{nullptr};
  GhostBatchNorm ghost_norm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(FcLayer);

struct FcStackImpl : torch::nn::Module {
  FcStackImpl(int64_t input_size, const std::vector<FcLayerSpec>& layers, const NormParams& norm_params);
  at::Tensor forward(at::Tensor x);
  int64_t output_size() const { return output_size_; }

  torch::nn::ModuleList layers;

 private:
  int64_t output_size_;
};
TORCH_MODULE(FcStack);

}  // namespace fdl
