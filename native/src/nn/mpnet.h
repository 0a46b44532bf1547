// HF's MPNetModel (modeling_mpnet.py) under HF's parameter names: word + position embeddings with
// RoBERTa's position ids counted from padding_idx, post-LN layers whose attention adds a T5-style
// bucketed relative position bias (encoder.relative_attention_bias, shared by all layers), and a
// tanh pooler.
#pragma once

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <memory>

#include "nn/text_encoder.h"
#include "nn/text_family_parts.h"
#include "nn/torchscript_source.h"

namespace fdl {

// MPNetConfig's fields and defaults (configuration_mpnet.py: microsoft/mpnet-base).
struct MPNetOptions {
  int64_t vocab_size = 30527;
  int64_t hidden_size = 768;
  int64_t num_hidden_layers = 12;
  int64_t num_attention_heads = 12;
  int64_t intermediate_size = 3072;
  HiddenActivation hidden_act = HiddenActivation::Gelu;
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  int64_t max_position_embeddings = 512;
  double initializer_range = 0.02;
  double layer_norm_eps = 1e-12;
  // Rows of encoder.relative_attention_bias. HF buckets with its default of 32 whatever this says,
  // so it must be at least 32.
  int64_t relative_attention_num_buckets = 32;
  int64_t pad_token_id = 1;

  static MPNetOptions from_config(const HfConfig& config);
};

struct MPNetEmbeddingsImpl : torch::nn::Module, TorchScriptSource {
  explicit MPNetEmbeddingsImpl(const MPNetOptions& o);
  // input_ids [B, T] -> [B, T, H]; position of token t: padding_idx + (non-pad tokens up to t), pad tokens padding_idx.
  at::Tensor forward(const at::Tensor& input_ids);
  std::string torchscript_forward() const override;

  int64_t padding_idx;
  torch::nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(MPNetEmbeddings);

// HF's MPNetSelfAttention (key "attn"): q, k, v, o projections.
struct MPNetSelfAttentionImpl : torch::nn::Module, TorchScriptSource {
  explicit MPNetSelfAttentionImpl(const MPNetOptions& o);
  // hidden [B, T, H], bias [B, heads, T, T] (relative position bias + additive padding mask) -> [B, T, H]
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& bias);
  std::string torchscript_forward() const override;

  int64_t num_heads;
  torch::nn::Linear q{nullptr}, k{nullptr}, v{nullptr}, o{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(MPNetSelfAttention);

struct MPNetAttentionImpl : torch::nn::Module, TorchScriptSource {
  explicit MPNetAttentionImpl(const MPNetOptions& o);
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& bias);
  std::string torchscript_forward() const override;

  MPNetSelfAttention attn{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(MPNetAttention);

struct MPNetLayerImpl : torch::nn::Module, TorchScriptSource {
  explicit MPNetLayerImpl(const MPNetOptions& o);
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& bias);
  std::string torchscript_forward() const override;

  MPNetAttention attention{nullptr};
  DenseActivation intermediate{nullptr};
  DenseResidualNorm output{nullptr};
};
TORCH_MODULE(MPNetLayer);

struct MPNetEncoderImpl : torch::nn::Module, TorchScriptSource {
  explicit MPNetEncoderImpl(const MPNetOptions& o);
  // hidden [B, T, H], additive_mask [B, 1, 1, T] -> [B, T, H]
  at::Tensor forward(at::Tensor hidden, const at::Tensor& additive_mask);
  std::string torchscript_forward() const override;
  // relative_attention_bias at each (query, key) pair: [1, heads, T, T].
  at::Tensor position_bias(int64_t length);

  bool gradient_checkpointing = false;
  torch::nn::ModuleList layer{nullptr};
  torch::nn::Embedding relative_attention_bias{nullptr};
};
TORCH_MODULE(MPNetEncoder);

struct MPNetModelImpl : TextEncoderImpl, TorchScriptSource {
  explicit MPNetModelImpl(const MPNetOptions& o);

  TextEncoderOutput encode(const at::Tensor& input_ids, const at::Tensor& attention_mask) override;
  int64_t hidden_size() const override { return options.hidden_size; }
  int64_t vocab_size() const override { return options.vocab_size; }
  // Positions start after padding_idx (RoBERTa's scheme).
  int64_t max_sequence_length() const override { return options.max_position_embeddings - options.pad_token_id - 1; }
  int64_t pad_token_id() const override { return options.pad_token_id; }
  void set_gradient_checkpointing(bool enabled) override { encoder->gradient_checkpointing = enabled; }
  void reset_parameters_like_hf(uint64_t seed) override;
  std::string torchscript_forward() const override;

  MPNetOptions options;
  MPNetEmbeddings embeddings{nullptr};
  MPNetEncoder encoder{nullptr};
  TanhPooler pooler{nullptr};
};

// HF's MPNetEncoder.relative_position_bucket (T5's, bidirectional): relative = key - query
// positions -> bucket in [0, num_buckets).
at::Tensor mpnet_relative_position_bucket(const at::Tensor& relative, int64_t num_buckets = 32, int64_t max_distance = 128);

std::shared_ptr<TextEncoderImpl> make_mpnet(const HfConfig& config);

}  // namespace fdl
