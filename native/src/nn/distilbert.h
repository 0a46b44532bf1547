// DistilBERT (model_type "distilbert", HF's DistilBertModel from modeling_distilbert.py): word +
// position embeddings (learned, or fixed sinusoids with sinusoidal_pos_embds), then post-LN layers
// transformer.layer.N with attention.{q,k,v,out}_lin, sa_layer_norm, ffn.lin1/lin2 and
// output_layer_norm. No token types, no pooler. Module names are HF's checkpoint keys.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <memory>
#include <string>

#include "nn/bert.h"
#include "nn/hf_config.h"
#include "nn/text_encoder.h"
#include "nn/torchscript_source.h"

namespace fdl {

// The fields of HF's DistilBertConfig (defaults: distilbert-base-uncased).
struct DistilBertOptions {
  int64_t vocab_size = 30522;
  int64_t max_position_embeddings = 512;
  bool sinusoidal_pos_embds = false;
  int64_t n_layers = 6;
  int64_t n_heads = 12;
  int64_t dim = 768;
  int64_t hidden_dim = 3072;
  double dropout = 0.1;
  double attention_dropout = 0.1;
  BertActivation activation = BertActivation::Gelu;
  double initializer_range = 0.02;
  int64_t pad_token_id = 0;

  // Fails (FDL_ERR_INVALID_ARGUMENT) naming the config.json field when the options cannot build a model.
  void validate() const;
};

DistilBertOptions read_distilbert_options(const HfConfig& config);

struct DistilBertEmbeddingsImpl : torch::nn::Module, TorchScriptSource {
  explicit DistilBertEmbeddingsImpl(const DistilBertOptions& o);
  // input_ids [B, T] int64 -> [B, T, dim]
  at::Tensor forward(const at::Tensor& input_ids);
  std::string torchscript_forward() const override;
  // HF's create_sinusoidal_embeddings into position_embeddings, which then trains no more.
  void fill_sinusoids();

  bool sinusoidal;
  torch::nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(DistilBertEmbeddings);

struct DistilBertAttentionImpl : torch::nn::Module, TorchScriptSource {
  explicit DistilBertAttentionImpl(const DistilBertOptions& o);
  // hidden [B, T, dim], additive_mask [B, 1, 1, T] -> [B, T, dim]
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& additive_mask);
  std::string torchscript_forward() const override;

  int64_t n_heads, dim;
  torch::nn::Linear q_lin{nullptr}, k_lin{nullptr}, v_lin{nullptr}, out_lin{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(DistilBertAttention);

// lin1 -> activation -> lin2 -> dropout (HF's FFN).
struct DistilBertFfnImpl : torch::nn::Module, TorchScriptSource {
  explicit DistilBertFfnImpl(const DistilBertOptions& o);
  at::Tensor forward(const at::Tensor& hidden);  // [B, T, dim] -> [B, T, dim]
  std::string torchscript_forward() const override;

  BertActivation activation;
  torch::nn::Linear lin1{nullptr}, lin2{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(DistilBertFfn);

struct DistilBertBlockImpl : torch::nn::Module, TorchScriptSource {
  explicit DistilBertBlockImpl(const DistilBertOptions& o);
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& additive_mask);  // [B, T, dim] -> same
  std::string torchscript_forward() const override;

  DistilBertAttention attention{nullptr};
  torch::nn::LayerNorm sa_layer_norm{nullptr};
  DistilBertFfn ffn{nullptr};
  torch::nn::LayerNorm output_layer_norm{nullptr};
};
TORCH_MODULE(DistilBertBlock);

struct DistilBertTransformerImpl : torch::nn::Module, TorchScriptSource {
  explicit DistilBertTransformerImpl(const DistilBertOptions& o);
  at::Tensor forward(at::Tensor hidden, const at::Tensor& additive_mask);
  std::string torchscript_forward() const override;

  torch::nn::ModuleList layer{nullptr};  // key "transformer.layer.N"
  bool gradient_checkpointing = false;
};
TORCH_MODULE(DistilBertTransformer);

struct DistilBertModelImpl : TextEncoderImpl, TorchScriptSource {
  explicit DistilBertModelImpl(const DistilBertOptions& o);

  TextEncoderOutput encode(const at::Tensor& input_ids, const at::Tensor& attention_mask) override;
  int64_t hidden_size() const override { return options.dim; }
  int64_t vocab_size() const override { return options.vocab_size; }
  int64_t max_sequence_length() const override { return options.max_position_embeddings; }
  int64_t pad_token_id() const override { return options.pad_token_id; }
  void set_gradient_checkpointing(bool enabled) override { transformer->gradient_checkpointing = enabled; }
  void reset_parameters_like_hf(uint64_t seed) override;
  std::string torchscript_forward() const override;

  DistilBertOptions options;
  DistilBertEmbeddings embeddings{nullptr};
  DistilBertTransformer transformer{nullptr};
};

std::shared_ptr<TextEncoderImpl> make_distilbert(const HfConfig& config);

}  // namespace fdl
