// HF's AlbertModel (modeling_albert.py) under HF's parameter names: BERT's embeddings at a smaller
// embedding_size, projected to hidden_size by encoder.embedding_hidden_mapping_in, then
// num_hidden_layers layer applications that share the weights of num_hidden_groups groups of
// inner_group_num post-LN layers, and a tanh pooler (a bare Linear, key "pooler").
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

// AlbertConfig's fields and defaults (configuration_albert.py: albert-xxlarge's shape).
struct AlbertOptions {
  int64_t vocab_size = 30000;
  int64_t embedding_size = 128;
  int64_t hidden_size = 4096;
  int64_t num_hidden_layers = 12;
  int64_t num_hidden_groups = 1;
  int64_t num_attention_heads = 64;
  int64_t intermediate_size = 16384;
  int64_t inner_group_num = 1;
  HiddenActivation hidden_act = HiddenActivation::GeluTanh;  // "gelu_new"
  double hidden_dropout_prob = 0.0;
  double attention_probs_dropout_prob = 0.0;
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 2;
  double initializer_range = 0.02;
  double layer_norm_eps = 1e-12;
  int64_t pad_token_id = 0;

  // Throws naming the field when a value cannot build a model; position_embedding_type other
  // than "absolute" is FDL_ERR_UNSUPPORTED.
  static AlbertOptions from_config(const HfConfig& config);
};

struct AlbertEmbeddingsImpl : torch::nn::Module, TorchScriptSource {
  explicit AlbertEmbeddingsImpl(const AlbertOptions& o);
  // input_ids [B, T] -> [B, T, embedding_size] (token types all 0)
  at::Tensor forward(const at::Tensor& input_ids);
  std::string torchscript_forward() const override;

  torch::nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr}, token_type_embeddings{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(AlbertEmbeddings);

// Self-attention, output projection, residual and LayerNorm in one module (HF's AlbertAttention).
struct AlbertAttentionImpl : torch::nn::Module, TorchScriptSource {
  explicit AlbertAttentionImpl(const AlbertOptions& o);
  // hidden [B, T, H], additive_mask [B, 1, 1, T] -> [B, T, H]
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& additive_mask);
  std::string torchscript_forward() const override;

  int64_t num_heads;
  double attention_dropout_p;
  torch::nn::Linear query{nullptr}, key{nullptr}, value{nullptr}, dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout output_dropout{nullptr};
};
TORCH_MODULE(AlbertAttention);

struct AlbertLayerImpl : torch::nn::Module, TorchScriptSource {
  explicit AlbertLayerImpl(const AlbertOptions& o);
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& additive_mask);
  std::string torchscript_forward() const override;

  HiddenActivation activation;
  torch::nn::LayerNorm full_layer_layer_norm{nullptr};
  AlbertAttention attention{nullptr};
  torch::nn::Linear ffn{nullptr}, ffn_output{nullptr};
};
TORCH_MODULE(AlbertLayer);

// inner_group_num layers run in sequence; one group serves several of the num_hidden_layers steps.
struct AlbertLayerGroupImpl : torch::nn::Module, TorchScriptSource {
  explicit AlbertLayerGroupImpl(const AlbertOptions& o);
  at::Tensor forward(at::Tensor hidden, const at::Tensor& additive_mask);
  std::string torchscript_forward() const override;

  torch::nn::ModuleList albert_layers{nullptr};
};
TORCH_MODULE(AlbertLayerGroup);

struct AlbertTransformerImpl : torch::nn::Module, TorchScriptSource {
  explicit AlbertTransformerImpl(const AlbertOptions& o);
  // embedded [B, T, embedding_size] -> [B, T, H]
  at::Tensor forward(const at::Tensor& embedded, const at::Tensor& additive_mask);
  std::string torchscript_forward() const override;
  // The group that layer step i uses: HF's int(i / (num_hidden_layers / num_hidden_groups)).
  int64_t group_of(int64_t step) const;

  int64_t num_hidden_layers, num_hidden_groups;
  bool gradient_checkpointing = false;
  torch::nn::Linear embedding_hidden_mapping_in{nullptr};
  torch::nn::ModuleList albert_layer_groups{nullptr};
};
TORCH_MODULE(AlbertTransformer);

struct AlbertModelImpl : TextEncoderImpl, TorchScriptSource {
  explicit AlbertModelImpl(const AlbertOptions& o);

  TextEncoderOutput encode(const at::Tensor& input_ids, const at::Tensor& attention_mask) override;
  int64_t hidden_size() const override { return options.hidden_size; }
  int64_t vocab_size() const override { return options.vocab_size; }
  int64_t max_sequence_length() const override { return options.max_position_embeddings; }
  int64_t pad_token_id() const override { return options.pad_token_id; }
  void set_gradient_checkpointing(bool enabled) override { encoder->gradient_checkpointing = enabled; }
  void reset_parameters_like_hf(uint64_t seed) override;
  std::string torchscript_forward() const override;

  AlbertOptions options;
  AlbertEmbeddings embeddings{nullptr};
  AlbertTransformer encoder{nullptr};
  torch::nn::Linear pooler{nullptr};
};

std::shared_ptr<TextEncoderImpl> make_albert(const HfConfig& config);

}  // namespace fdl
