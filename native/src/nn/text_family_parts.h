// Pieces the text families beyond BERT share (albert, mpnet, deberta_v2, modernbert): HF's
// activation names, head reshapes, HF's normal initialisation, the checkpointed layer step,
// TorchScript spellings, and config.json readers that name the field they reject.
#pragma once

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <cstdint>
#include <string>

#include "nn/checkpoint.h"
#include "nn/hf_config.h"
#include "nn/torchscript_code.h"
#include "nn/torchscript_source.h"

namespace fdl {

// The ACT2FN entries these families' checkpoints use.
enum class HiddenActivation { Gelu /* "gelu": erf */, GeluTanh /* "gelu_new", "gelu_pytorch_tanh" */, Relu, Silu, Tanh };

// config.json's key (hidden_act; ModernBERT's hidden_activation), fallback when absent; any other
// name is FDL_ERR_UNSUPPORTED naming the field and the accepted names.
HiddenActivation read_activation(const HfConfig& config, const std::string& key, const std::string& fallback);
at::Tensor activate(HiddenActivation activation, const at::Tensor& x);
std::string activation_script(HiddenActivation activation, const std::string& x);

// config.json's integer key, at least minimum; otherwise FDL_ERR_INVALID_ARGUMENT naming it.
int64_t read_at_least(const HfConfig& config, const std::string& key, int64_t fallback, int64_t minimum);
// A dropout probability in [0, 1).
double read_probability(const HfConfig& config, const std::string& key, double fallback);
// Throws FDL_ERR_INVALID_ARGUMENT naming both fields unless hidden is a multiple of heads.
void require_heads_divide(int64_t hidden, int64_t heads, const std::string& model_type);

// torch.finfo(dtype).min, the additive mask value of HF's attention masks.
double lowest_value_of(at::ScalarType dtype);
// HF's extended attention mask: (1 - attention_mask) * finfo(dtype).min as [B, 1, 1, T], so that a
// fully padded row attends uniformly (as in HF) instead of producing NaN.
at::Tensor additive_padding_mask(const at::Tensor& attention_mask, at::ScalarType dtype);

// [B, T, heads * d] -> [B, heads, T, d], and back.
at::Tensor split_heads(const at::Tensor& x, int64_t heads);
at::Tensor merge_heads(const at::Tensor& x);

// HF's _init_weights shared by these families: Linear and Embedding weights ~ N(0, std) (the
// padding row 0), biases 0, LayerNorm weight 1 and bias 0. Drawn on the CPU from seed, so the
// values depend neither on the device nor on the global generator.
void normal_init_like_hf(torch::nn::Module& root, double std, uint64_t seed);

// forward(layer, x, context); recomputed in backward instead of stored when checkpointing in training.
at::Tensor run_layer(torch::nn::Module& layer, LayerForward forward, const at::Tensor& x, const at::Tensor& context,
                     bool checkpointing);

// The TorchScript child "owner.<index>" of a ModuleList (getattr, as the name is not an identifier).
std::string script_item(const std::string& owner, int64_t index);

// dense -> activation (HF's BertIntermediate, copied as MPNetIntermediate, DebertaV2Intermediate).
struct DenseActivationImpl : torch::nn::Module, TorchScriptSource {
  DenseActivationImpl(int64_t in_features, int64_t out_features, HiddenActivation activation);
  at::Tensor forward(const at::Tensor& x);
  std::string torchscript_forward() const override;

  HiddenActivation activation;
  torch::nn::Linear dense{nullptr};
};
TORCH_MODULE(DenseActivation);

// LayerNorm(dropout(dense(x)) + residual): HF's BertOutput/BertSelfOutput and their copies
// (MPNetOutput, DebertaV2SelfOutput, DebertaV2Output).
struct DenseResidualNormImpl : torch::nn::Module, TorchScriptSource {
  DenseResidualNormImpl(int64_t in_features, int64_t hidden_size, double layer_norm_eps, double dropout);
  at::Tensor forward(const at::Tensor& x, const at::Tensor& residual);
  std::string torchscript_forward() const override;

  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(DenseResidualNorm);

// tanh(dense(hidden[:, 0])): HF's BertPooler, copied as MPNetPooler.
struct TanhPoolerImpl : torch::nn::Module, TorchScriptSource {
  explicit TanhPoolerImpl(int64_t hidden_size);
  at::Tensor forward(const at::Tensor& hidden);
  std::string torchscript_forward() const override;

  torch::nn::Linear dense{nullptr};
};
TORCH_MODULE(TanhPooler);

}  // namespace fdl
