// Ludwig's FCStack: per layer Linear -> norm -> activation -> dropout, optionally residual. Used by
// the concat combiner and by the dense encoders of number and binary inputs.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <string>
#include <vector>

#include "fidelio.h"

namespace fdl {

// A layer's settings are the C ABI's struct itself (fidelio.h): a field added there is read here,
// with no copy in between. The caller fills in every field, norm parameters included.
using FcLayerSpec = fdl_fc_layer;
using NormParams = fdl_norm_params;

at::Tensor activate(const at::Tensor& x, fdl_activation activation);

// layers as a vector, checked (NULL with a count, a negative count).
std::vector<FcLayerSpec> fc_layers_of(const fdl_fc_stack& stack, const std::string& what);

// Batch norm over [B, D] that, in training, passes a single row through unchanged: one row has no
// batch statistics (PyTorch would fail), and Ludwig skips it the same way.
// Its state is the BatchNorm1d "bn" (as in Ludwig's ghost norm).
struct RowBatchNormImpl : torch::nn::Module {
  RowBatchNormImpl(int64_t features, const NormParams& params);
  at::Tensor forward(const at::Tensor& x);

  torch::nn::BatchNorm1d bn{nullptr};
};
TORCH_MODULE(RowBatchNorm);

// Ghost batch norm (Hoffer et al. 2017, as in Ludwig/TabNet): in training the batch is cut into
// ceil(B / virtual_batch_size) chunks (torch.chunk, as Ludwig does) and each chunk is normalised
// with its own statistics, each updating the running ones; a one-row chunk passes unchanged. In
// evaluation the running statistics are used, as plain batch norm does.
struct GhostBatchNormImpl : RowBatchNormImpl {
  GhostBatchNormImpl(int64_t features, const NormParams& params);
  at::Tensor forward(const at::Tensor& x);

  int64_t virtual_batch_size;
};
TORCH_MODULE(GhostBatchNorm);

struct FcLayerImpl : torch::nn::Module {
  FcLayerImpl(int64_t input_size, const FcLayerSpec& spec);
  at::Tensor forward(at::Tensor x);

  FcLayerSpec spec;
  torch::nn::Linear dense{nullptr};
  RowBatchNorm batch_norm{nullptr};
  torch::nn::LayerNorm layer_norm{nullptr};
  GhostBatchNorm ghost_norm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(FcLayer);

// residual: a layer whose output size equals its input size adds its input to its output
// (Ludwig's FCStack with residual: true); layers that change the size do not.
struct FcStackImpl : torch::nn::Module {
  FcStackImpl(int64_t input_size, const std::vector<FcLayerSpec>& layers, bool residual = false);
  FcStackImpl(int64_t input_size, const fdl_fc_stack& stack, const std::string& what)
      : FcStackImpl(input_size, fc_layers_of(stack, what), stack.residual != 0) {}
  at::Tensor forward(at::Tensor x);
  int64_t output_size() const { return output_size_; }

  torch::nn::ModuleList layers;
  bool residual;

 private:
  int64_t output_size_;
};
TORCH_MODULE(FcStack);

}  // namespace fdl
