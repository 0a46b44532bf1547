// A HuggingFace BertModel-compatible encoder (modeling_bert.py, eager attention), written in the
// PyTorch C++ frontend style. Module names are the checkpoint keys: named_parameters() yields
// exactly HF's "embeddings.word_embeddings.weight", "encoder.layer.0.attention.self.query.weight",
// ..., "pooler.dense.bias", so weights load with no mapping table (see state_dict.h).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <cstdint>
#include <string>

namespace fdl {

// HF's config.json hidden_act values that we support.
enum class BertActivation { Gelu /* "gelu": exact erf GELU */, GeluTanh /* "gelu_new", "gelu_pytorch_tanh" */, Relu };

// The fields of HF's BertConfig (defaults: bert-base-uncased).
struct BertOptions {
  int64_t vocab_size = 30522;
  int64_t hidden_size = 768;
  int64_t num_hidden_layers = 12;
  int64_t num_attention_heads = 12;
  int64_t intermediate_size = 3072;
  BertActivation hidden_act = BertActivation::Gelu;
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 2;
  double layer_norm_eps = 1e-12;
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  int64_t pad_token_id = 0;  // -1: no padding row in the word embeddings
  double initializer_range = 0.02;

  // Throws (TORCH_CHECK) naming the field and value when the options cannot build a model.
  void validate() const;
};

struct BertEmbeddingsImpl : torch::nn::Module {
  explicit BertEmbeddingsImpl(const BertOptions& o);
  // input_ids, token_type_ids: [B, T] int64 -> [B, T, H]
  at::Tensor forward(const at::Tensor& input_ids, const at::Tensor& token_type_ids);

  torch::nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr}, token_type_embeddings{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};  // HF's (and TF's) spelling: it is the checkpoint key
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(BertEmbeddings);

// Multi-head scaled dot-product attention; registered as "self" like HF's BertSelfAttention.
struct BertSelfAttentionImpl : torch::nn::Module {
  explicit BertSelfAttentionImpl(const BertOptions& o);
  // hidden: [B, T, H], additive_mask: [B, 1, 1, T] (0 keep, dtype min pad) -> [B, T, H]
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& additive_mask);

  int64_t num_heads, head_size;
  torch::nn::Linear query{nullptr}, key{nullptr}, value{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(BertSelfAttention);

// dense -> dropout -> residual add -> LayerNorm (post-LN); HF's BertSelfOutput and BertOutput.
struct BertResidualOutputImpl : torch::nn::Module {
  BertResidualOutputImpl(int64_t in_features, const BertOptions& o);
  // hidden: [B, T, in_features], residual: [B, T, H] -> [B, T, H]
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& residual);

  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(BertResidualOutput);

struct BertAttentionImpl : torch::nn::Module {
  explicit BertAttentionImpl(const BertOptions& o);
  // [B, T, H] -> [B, T, H]
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& additive_mask);

  BertSelfAttention self_attention{nullptr};  // key "self"
  BertResidualOutput output{nullptr};
};
TORCH_MODULE(BertAttention);

struct BertIntermediateImpl : torch::nn::Module {
  explicit BertIntermediateImpl(const BertOptions& o);
  // [B, T, H] -> [B, T, intermediate_size]
  at::Tensor forward(const at::Tensor& hidden);

  BertActivation activation;
  torch::nn::Linear dense{nullptr};
};
TORCH_MODULE(BertIntermediate);

struct BertLayerImpl : torch::nn::Module {
  explicit BertLayerImpl(const BertOptions& o);
  // [B, T, H] -> [B, T, H]
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& additive_mask);

  BertAttention attention{nullptr};
  BertIntermediate intermediate{nullptr};
  BertResidualOutput output{nullptr};
};
TORCH_MODULE(BertLayer);

struct BertEncoderImpl : torch::nn::Module {
  explicit BertEncoderImpl(const BertOptions& o);
  // [B, T, H] -> [B, T, H]
  at::Tensor forward(at::Tensor hidden, const at::Tensor& additive_mask);

  torch::nn::ModuleList layer{nullptr};  // key "encoder.layer.N", as in HF
  // Training recomputes each layer's forward in backward instead of keeping its activations
  // (trainer.enable_gradient_checkpointing, as HF's BertEncoder.gradient_checkpointing).
  bool gradient_checkpointing = false;
};
TORCH_MODULE(BertEncoder);

struct BertPoolerImpl : torch::nn::Module {
  explicit BertPoolerImpl(const BertOptions& o);
  // [B, T, H] -> tanh(dense(hidden[:, 0])): [B, H]
  at::Tensor forward(const at::Tensor& hidden);

  torch::nn::Linear dense{nullptr};
};
TORCH_MODULE(BertPooler);

struct BertModelOutput {
  at::Tensor last_hidden_state;  // [B, T, H]
  at::Tensor pooler_output;      // [B, H]
};

struct BertModelImpl : torch::nn::Module {
  explicit BertModelImpl(const BertOptions& o);

  // input_ids: [B, T] int64, attention_mask: [B, T] (1 keep, 0 pad), token_type_ids: [B, T] int64
  // or undefined (all zeros). Inputs are trusted here; the C ABI validates them first.
  BertModelOutput forward(const at::Tensor& input_ids, const at::Tensor& attention_mask,
                          const at::Tensor& token_type_ids = {});

  // HF's _init_weights: Linear/Embedding weights ~ N(0, initializer_range), biases 0, LayerNorm 1/0,
  // the padding row 0. Deterministic in seed and independent of the global generator.
  void reset_parameters_like_hf(uint64_t seed);

  // Rows (sequences) every BertModel of the process has run forward: the preprocessed store's
  // tests assert that a reused store runs none.
  static int64_t forward_rows();

  BertOptions options;
  BertEmbeddings embeddings{nullptr};
  BertEncoder encoder{nullptr};
  BertPooler pooler{nullptr};
};
TORCH_MODULE(BertModel);

// HF's extended attention mask: (1 - mask) * finfo(dtype).min, shaped [B, 1, 1, T], so that a
// fully padded row attends uniformly (as in HF) instead of producing NaN.
at::Tensor additive_attention_mask(const at::Tensor& attention_mask, at::ScalarType dtype);

}  // namespace fdl
