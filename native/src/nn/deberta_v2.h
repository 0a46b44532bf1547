// HF's DebertaV2Model (modeling_deberta_v2.py; DeBERTa-v2 and -v3 checkpoints) under HF's parameter
// names: embeddings (optionally absolute positions, token types, embed_proj) zeroed at padding,
// post-LN layers with disentangled attention (content->position c2p and position->content p2c
// scores over log-bucketed relative positions, keys shared with the content projections or not),
// the relative embeddings optionally LayerNorm'd, the conv layer after the first layer
// (conv_kernel_size > 0), and no pooler (the pooled output is hidden[:, 0]).
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

// DebertaV2Config's fields and defaults (configuration_deberta_v2.py: deberta-v2-xlarge's shape);
// fields HF reads with getattr have getattr's fallbacks.
struct DebertaV2Options {
  int64_t vocab_size = 128100;
  int64_t hidden_size = 1536;
  int64_t embedding_size = 1536;  // absent: hidden_size
  int64_t num_hidden_layers = 24;
  int64_t num_attention_heads = 24;
  int64_t intermediate_size = 6144;
  HiddenActivation hidden_act = HiddenActivation::Gelu;
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 0;
  double initializer_range = 0.02;
  double layer_norm_eps = 1e-7;
  int64_t pad_token_id = 0;
  bool position_biased_input = true;
  bool relative_attention = false;
  int64_t max_relative_positions = 512;  // config's < 1 means max_position_embeddings
  int64_t position_buckets = -1;         // <= 0: relative positions unbucketed (clamped to the span)
  bool c2p = false, p2c = false;         // pos_att_type
  bool share_att_key = false;
  bool norm_rel_ebd_layer_norm = false;  // norm_rel_ebd contains "layer_norm"
  int64_t conv_kernel_size = 0;          // 0: no conv layer
  int64_t conv_groups = 1;
  HiddenActivation conv_act = HiddenActivation::Tanh;

  // Relative distances the embeddings span each way (HF's pos_ebd_size / att_span).
  int64_t attention_span() const { return position_buckets > 0 ? position_buckets : max_relative_positions; }

  static DebertaV2Options from_config(const HfConfig& config);
};

// HF's build_relative_position: query i minus key j, log-bucketed beyond bucket_size / 2 when
// bucket_size > 0 ([T, T] int64).
at::Tensor deberta_relative_positions(int64_t length, int64_t bucket_size, int64_t max_position, const at::Device& device);
// The largest |bucketed relative position| among length positions (computed on the CPU).
int64_t deberta_position_reach(int64_t length, int64_t bucket_size, int64_t max_position);

struct DebertaV2EmbeddingsImpl : torch::nn::Module, TorchScriptSource {
  explicit DebertaV2EmbeddingsImpl(const DebertaV2Options& o);
  // input_ids [B, T], attention_mask [B, T] -> [B, T, H], zero at padding.
  at::Tensor forward(const at::Tensor& input_ids, const at::Tensor& attention_mask);
  std::string torchscript_forward() const override;

  torch::nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr}, token_type_embeddings{nullptr};
  torch::nn::Linear embed_proj{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(DebertaV2Embeddings);

struct DisentangledSelfAttentionImpl : torch::nn::Module, TorchScriptSource {
  explicit DisentangledSelfAttentionImpl(const DebertaV2Options& o);
  // hidden [B, T, H], keep [B, 1, T, T] bool (query and key both real), rel_embeddings
  // [2 span, H] (undefined without relative attention) -> [B, T, H]
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& keep, const at::Tensor& rel_embeddings);
  std::string torchscript_forward() const override;

  DebertaV2Options options;
  int64_t scale_factor;  // 1 + one per c2p, p2c (HF counts them even without relative attention)
  torch::nn::Linear query_proj{nullptr}, key_proj{nullptr}, value_proj{nullptr};
  torch::nn::Linear pos_key_proj{nullptr}, pos_query_proj{nullptr};  // without share_att_key, per pos_att_type
  torch::nn::Dropout dropout{nullptr}, pos_dropout{nullptr};
};
TORCH_MODULE(DisentangledSelfAttention);

struct DebertaV2AttentionImpl : torch::nn::Module, TorchScriptSource {
  explicit DebertaV2AttentionImpl(const DebertaV2Options& o);
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& keep, const at::Tensor& rel_embeddings);
  std::string torchscript_forward() const override;

  DisentangledSelfAttention self_attention{nullptr};  // key "self"
  DenseResidualNorm output{nullptr};
};
TORCH_MODULE(DebertaV2Attention);

struct DebertaV2LayerImpl : torch::nn::Module, TorchScriptSource {
  explicit DebertaV2LayerImpl(const DebertaV2Options& o);
  // attention_mask [B, T] in hidden's dtype (1 keep, 0 pad).
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& attention_mask, const at::Tensor& rel_embeddings);
  std::string torchscript_forward() const override;

  DebertaV2Attention attention{nullptr};
  DenseActivation intermediate{nullptr};
  DenseResidualNorm output{nullptr};
};
TORCH_MODULE(DebertaV2Layer);

// A 1-D convolution over the sequence, "same" padding (HF's nn.Conv1d in ConvLayer, key "conv").
struct SequenceConv1dImpl : torch::nn::Module, TorchScriptSource {
  SequenceConv1dImpl(int64_t channels, int64_t kernel_size, int64_t groups);
  // [B, C, T] -> [B, C, T]
  at::Tensor forward(const at::Tensor& x);
  std::string torchscript_forward() const override;
  // PyTorch's Conv1d initialisation (kaiming uniform, a = sqrt 5: U(+-1/sqrt(fan_in))), from generator.
  void reset_like_torch(at::Generator& generator);

  int64_t groups;
  at::Tensor weight, bias;
};
TORCH_MODULE(SequenceConv1d);

// HF's ConvLayer: LayerNorm(residual + act(conv(embedded) zeroed at padding)), zeroed at padding.
struct DebertaV2ConvLayerImpl : torch::nn::Module, TorchScriptSource {
  explicit DebertaV2ConvLayerImpl(const DebertaV2Options& o);
  at::Tensor forward(const at::Tensor& embedded, const at::Tensor& residual, const at::Tensor& attention_mask);
  std::string torchscript_forward() const override;

  HiddenActivation activation;
  SequenceConv1d conv{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(DebertaV2ConvLayer);

struct DebertaV2EncoderImpl : torch::nn::Module, TorchScriptSource {
  explicit DebertaV2EncoderImpl(const DebertaV2Options& o);
  // embedded [B, T, H], attention_mask [B, T] int64 -> [B, T, H]
  at::Tensor forward(const at::Tensor& embedded, const at::Tensor& attention_mask);
  std::string torchscript_forward() const override;
  // rel_embeddings.weight, LayerNorm'd when norm_rel_ebd asks; undefined without relative attention.
  at::Tensor relative_embeddings();

  bool gradient_checkpointing = false;
  torch::nn::ModuleList layer{nullptr};
  torch::nn::Embedding rel_embeddings{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  DebertaV2ConvLayer conv{nullptr};
};
TORCH_MODULE(DebertaV2Encoder);

struct DebertaV2ModelImpl : TextEncoderImpl, TorchScriptSource {
  explicit DebertaV2ModelImpl(const DebertaV2Options& o);

  // pooler_output is undefined: DeBERTa has none.
  TextEncoderOutput encode(const at::Tensor& input_ids, const at::Tensor& attention_mask) override;
  int64_t hidden_size() const override { return options.hidden_size; }
  int64_t vocab_size() const override { return options.vocab_size; }
  // Absolute positions bound the length only when the embeddings use them.
  int64_t max_sequence_length() const override { return options.max_position_embeddings; }
  int64_t pad_token_id() const override { return options.pad_token_id; }
  void set_gradient_checkpointing(bool enabled) override { encoder->gradient_checkpointing = enabled; }
  // HF's _init_weights (Linear, Embedding normal; LayerNorm 1/0) and PyTorch's default for the conv.
  void reset_parameters_like_hf(uint64_t seed) override;
  std::string torchscript_forward() const override;

  DebertaV2Options options;
  DebertaV2Embeddings embeddings{nullptr};
  DebertaV2Encoder encoder{nullptr};
};

std::shared_ptr<TextEncoderImpl> make_deberta_v2(const HfConfig& config);

}  // namespace fdl
