// A HuggingFace BertModel-compatible encoder (modeling_bert.py, eager attention), written in the
// PyTorch C++ frontend style. Module names are the checkpoint keys: named_parameters() yields
// exactly HF's "embeddings.word_embeddings.weight", "encoder.layer.0.attention.self.query.weight",
// ..., "pooler.dense.bias", so weights load with no mapping table (see state_dict.h).
// RoBERTa (and XLM-R, CamemBERT) and ELECTRA are this model with other options (their position
// ids, a narrower embedding projected up, no pooler): nn/roberta.h, nn/electra.h. Each module
// writes its own TorchScript forward (torchscript_source.h) for the export.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <cstdint>
#include <string>

#include "nn/checkpoint.h"
#include "nn/hf_config.h"
#include "nn/text_encoder.h"
#include "nn/torchscript_source.h"

namespace fdl {

// HF's config.json hidden_act values that we support.
enum class BertActivation { Gelu /* "gelu": exact erf GELU */, GeluTanh /* "gelu_new", "gelu_pytorch_tanh" */, Relu };
// config.json's hidden_act spelling (field names the config field in the error for others).
BertActivation bert_activation(const std::string& name, const std::string& field);
// at::gelu / relu as HF applies them, and the same in TorchScript for the export.
at::Tensor apply_activation(BertActivation activation, const at::Tensor& x);
std::string activation_torchscript(BertActivation activation, const std::string& x);

// How the embeddings number positions: BERT 0..T-1; RoBERTa counts non-padding tokens from
// pad_token_id + 1 (HF's create_position_ids_from_input_ids), padding itself gets pad_token_id.
enum class PositionIds { Absolute, AfterPadding };

// The fields of HF's BertConfig (defaults: bert-base-uncased); the family factories start from
// their own config class's defaults and read config.json over them (read_bert_options).
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
  // ELECTRA: embeddings of this width, projected to hidden_size by "embeddings_project" when they
  // differ; 0 means hidden_size (BERT, RoBERTa).
  int64_t embedding_size = 0;
  PositionIds position_ids = PositionIds::Absolute;
  bool add_pooling_layer = true;  // ELECTRA has no pooler

  int64_t embedding_width() const { return embedding_size > 0 ? embedding_size : hidden_size; }
  // Throws (TORCH_CHECK) naming the field and value when the options cannot build a model.
  void validate() const;
};

struct BertEmbeddingsImpl : torch::nn::Module, TorchScriptSource {
  explicit BertEmbeddingsImpl(const BertOptions& o);
  // input_ids, token_type_ids: [B, T] int64 -> [B, T, embedding width]
  at::Tensor forward(const at::Tensor& input_ids, const at::Tensor& token_type_ids);
  std::string torchscript_forward() const override;

  PositionIds position_ids;
  int64_t pad_token_id;

  torch::nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr}, token_type_embeddings{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};  // HF's (and TF's) spelling: it is the checkpoint key
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(BertEmbeddings);

// Multi-head scaled dot-product attention; registered as "self" like HF's BertSelfAttention.
// softmax(q k^T / sqrt(head_size) + additive_mask) v over num_heads heads, with attention dropout p:
// q, k, v [B, T, H] projections -> [B, T, H]. Shared by BERT's and DistilBERT's attention.
at::Tensor multi_head_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                const at::Tensor& additive_mask, int64_t num_heads, double dropout_p);
// The same in TorchScript: a function body (4-space indented) that returns the context from the
// projections named q, k, v (expressions) and the mask named additive_mask.
std::string multi_head_attention_torchscript(const std::string& q, const std::string& k, const std::string& v,
                                             int64_t num_heads, int64_t head_size);

struct BertSelfAttentionImpl : torch::nn::Module, TorchScriptSource {
  explicit BertSelfAttentionImpl(const BertOptions& o);
  // hidden: [B, T, H], additive_mask: [B, 1, 1, T] (0 keep, dtype min pad) -> [B, T, H]
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& additive_mask);
  std::string torchscript_forward() const override;

  int64_t num_heads, head_size;
  torch::nn::Linear query{nullptr}, key{nullptr}, value{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(BertSelfAttention);

// dense -> dropout -> residual add -> LayerNorm (post-LN); HF's BertSelfOutput and BertOutput.
struct BertResidualOutputImpl : torch::nn::Module, TorchScriptSource {
  BertResidualOutputImpl(int64_t in_features, const BertOptions& o);
  std::string torchscript_forward() const override;
  // hidden: [B, T, in_features], residual: [B, T, H] -> [B, T, H]
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& residual);

  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(BertResidualOutput);

struct BertAttentionImpl : torch::nn::Module, TorchScriptSource {
  explicit BertAttentionImpl(const BertOptions& o);
  std::string torchscript_forward() const override;
  // [B, T, H] -> [B, T, H]
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& additive_mask);

  BertSelfAttention self_attention{nullptr};  // key "self"
  BertResidualOutput output{nullptr};
};
TORCH_MODULE(BertAttention);

struct BertIntermediateImpl : torch::nn::Module, TorchScriptSource {
  explicit BertIntermediateImpl(const BertOptions& o);
  std::string torchscript_forward() const override;
  // [B, T, H] -> [B, T, intermediate_size]
  at::Tensor forward(const at::Tensor& hidden);

  BertActivation activation;
  torch::nn::Linear dense{nullptr};
};
TORCH_MODULE(BertIntermediate);

struct BertLayerImpl : torch::nn::Module, TorchScriptSource {
  explicit BertLayerImpl(const BertOptions& o);
  std::string torchscript_forward() const override;
  // [B, T, H] -> [B, T, H]
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& additive_mask);

  BertAttention attention{nullptr};
  BertIntermediate intermediate{nullptr};
  BertResidualOutput output{nullptr};
};
TORCH_MODULE(BertLayer);

// Runs a "layer" ModuleList of Layer modules in order; with checkpointing (training only) each is
// recomputed in backward (nn/checkpoint.h). Shared by BERT's encoder and DistilBERT's transformer.
template <class Layer>
at::Tensor run_layers(const torch::nn::ModuleList& layers, at::Tensor hidden, const at::Tensor& additive_mask,
                      bool checkpointing) {
  LayerForward run = [](torch::nn::Module& block, const at::Tensor& x, const at::Tensor& mask) {
    return static_cast<Layer&>(block).forward(x, mask);
  };
  for (const auto& block : *layers) {
    hidden = checkpointing ? checkpoint(*block, run, hidden, additive_mask) : run(*block, hidden, additive_mask);
  }
  return hidden;
}
// The TorchScript forward(hidden, additive_mask) through self.layer.0 .. self.layer.<count - 1>.
std::string layers_torchscript(size_t count);

struct BertEncoderImpl : torch::nn::Module, TorchScriptSource {
  explicit BertEncoderImpl(const BertOptions& o);
  std::string torchscript_forward() const override;
  // [B, T, H] -> [B, T, H]
  at::Tensor forward(at::Tensor hidden, const at::Tensor& additive_mask);

  torch::nn::ModuleList layer{nullptr};  // key "encoder.layer.N", as in HF
  // Training recomputes each layer's forward in backward instead of keeping its activations
  // (trainer.enable_gradient_checkpointing, as HF's BertEncoder.gradient_checkpointing).
  bool gradient_checkpointing = false;
};
TORCH_MODULE(BertEncoder);

struct BertPoolerImpl : torch::nn::Module, TorchScriptSource {
  explicit BertPoolerImpl(const BertOptions& o);
  std::string torchscript_forward() const override;
  // [B, T, H] -> tanh(dense(hidden[:, 0])): [B, H]
  at::Tensor forward(const at::Tensor& hidden);

  torch::nn::Linear dense{nullptr};
};
TORCH_MODULE(BertPooler);

struct BertModelImpl : TextEncoderImpl, TorchScriptSource {
  explicit BertModelImpl(const BertOptions& o);

  // input_ids: [B, T] int64, attention_mask: [B, T] (1 keep, 0 pad), token_type_ids: [B, T] int64
  // or undefined (all zeros). Inputs are trusted here; the C ABI validates them first.
  TextEncoderOutput forward(const at::Tensor& input_ids, const at::Tensor& attention_mask,
                            const at::Tensor& token_type_ids = {});

  TextEncoderOutput encode(const at::Tensor& input_ids, const at::Tensor& attention_mask) override {
    return forward(input_ids, attention_mask);
  }
  int64_t hidden_size() const override { return options.hidden_size; }
  int64_t vocab_size() const override { return options.vocab_size; }
  int64_t max_sequence_length() const override;
  int64_t pad_token_id() const override { return options.pad_token_id; }
  void set_gradient_checkpointing(bool enabled) override { encoder->gradient_checkpointing = enabled; }
  // HF's _init_weights: Linear/Embedding weights ~ N(0, initializer_range), biases 0, LayerNorm 1/0,
  // the padding row 0. Deterministic in seed and independent of the global generator.
  void reset_parameters_like_hf(uint64_t seed) override;
  std::string torchscript_forward() const override;

  BertOptions options;
  BertEmbeddings embeddings{nullptr};
  torch::nn::Linear embeddings_project{nullptr};  // ELECTRA, when embedding_size != hidden_size
  BertEncoder encoder{nullptr};
  BertPooler pooler{nullptr};  // absent without add_pooling_layer
};
TORCH_MODULE(BertModel);

// config.json's BertConfig fields over defaults (each family's config class defaults); fails
// naming the field when a value does not fit. Shared by BERT, RoBERTa and ELECTRA.
BertOptions read_bert_options(const HfConfig& config, BertOptions defaults);
// model_type "bert": HF's BertConfig defaults.
std::shared_ptr<TextEncoderImpl> make_bert(const HfConfig& config);

// The same initialisation for any module tree (DistilBERT shares it): Linear/Embedding weights
// ~ N(0, std), biases 0, LayerNorm 1/0, padding rows 0; drawn on the CPU from seed.
void reset_parameters_like_hf(torch::nn::Module& root, double std, uint64_t seed);

}  // namespace fdl
