// HF's ModernBertModel (modeling_modernbert.py) under HF's parameter names, as its eager/sdpa path
// computes it on a padded batch (the unpadded flash path is an optimisation with the same values
// on real tokens): token embeddings + norm, pre-LN layers (layer 0 without attn_norm) whose
// attention applies rotary embeddings (global_rope_theta, or local_rope_theta in sliding-window
// layers) and attends either globally or within local_attention / 2 tokens each way, GeGLU MLPs,
// and final_norm. Biases only where attention_bias, mlp_bias, norm_bias ask. No pooler.
#pragma once

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>

#include <memory>
#include <vector>

#include "nn/text_encoder.h"
#include "nn/text_family_parts.h"
#include "nn/torchscript_source.h"

namespace fdl {

// ModernBertConfig's fields and defaults (configuration_modernbert.py: ModernBERT-base).
struct ModernBertOptions {
  int64_t vocab_size = 50368;
  int64_t hidden_size = 768;
  int64_t intermediate_size = 1152;
  int64_t num_hidden_layers = 22;
  int64_t num_attention_heads = 12;
  HiddenActivation hidden_activation = HiddenActivation::Gelu;
  int64_t max_position_embeddings = 8192;
  double initializer_range = 0.02;
  double initializer_cutoff_factor = 2.0;
  double norm_eps = 1e-5;
  bool norm_bias = false;
  int64_t pad_token_id = 50283;
  double global_rope_theta = 160000.0;
  double local_rope_theta = 10000.0;
  bool attention_bias = false;
  double attention_dropout = 0.0;
  int64_t global_attn_every_n_layers = 3;
  int64_t local_attention = 128;
  double embedding_dropout = 0.0;
  bool mlp_bias = false;
  double mlp_dropout = 0.0;
  // Per layer: sliding-window attention (layer_types "sliding_attention", else every layer whose
  // index is not a multiple of global_attn_every_n_layers).
  std::vector<bool> sliding;

  static ModernBertOptions from_config(const HfConfig& config);
};

// LayerNorm whose bias exists only with norm_bias (LibTorch's LayerNorm always has one).
struct ModernBertNormImpl : torch::nn::Module, TorchScriptSource {
  ModernBertNormImpl(int64_t size, double eps, bool bias);
  at::Tensor forward(const at::Tensor& x);
  std::string torchscript_forward() const override;

  double eps;
  at::Tensor weight, bias;
};
TORCH_MODULE(ModernBertNorm);

struct ModernBertEmbeddingsImpl : torch::nn::Module, TorchScriptSource {
  explicit ModernBertEmbeddingsImpl(const ModernBertOptions& o);
  at::Tensor forward(const at::Tensor& input_ids);
  std::string torchscript_forward() const override;

  torch::nn::Embedding tok_embeddings{nullptr};
  ModernBertNorm norm{nullptr};
  torch::nn::Dropout drop{nullptr};
};
TORCH_MODULE(ModernBertEmbeddings);

struct ModernBertAttentionImpl : torch::nn::Module, TorchScriptSource {
  ModernBertAttentionImpl(const ModernBertOptions& o, int64_t layer_id);
  // hidden [B, T, H], attention_mask [B, T] in hidden's dtype (1 keep, 0 pad) -> [B, T, H]
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& attention_mask);
  std::string torchscript_forward() const override;

  int64_t num_heads, head_dim;
  bool sliding;
  int64_t half_window;  // local_attention / 2
  double rope_theta, attention_dropout;
  torch::nn::Linear Wqkv{nullptr}, Wo{nullptr};
  torch::nn::Dropout out_drop{nullptr};
};
TORCH_MODULE(ModernBertAttention);

// Wo(drop(act(input) * gate)), input and gate the halves of Wi(x).
struct ModernBertMLPImpl : torch::nn::Module, TorchScriptSource {
  explicit ModernBertMLPImpl(const ModernBertOptions& o);
  at::Tensor forward(const at::Tensor& x);
  std::string torchscript_forward() const override;

  HiddenActivation activation;
  torch::nn::Linear Wi{nullptr}, Wo{nullptr};
  torch::nn::Dropout drop{nullptr};
};
TORCH_MODULE(ModernBertMLP);

struct ModernBertEncoderLayerImpl : torch::nn::Module, TorchScriptSource {
  ModernBertEncoderLayerImpl(const ModernBertOptions& o, int64_t layer_id);
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& attention_mask);
  std::string torchscript_forward() const override;

  ModernBertNorm attn_norm{nullptr};  // absent in layer 0 (HF's nn.Identity)
  ModernBertAttention attn{nullptr};
  ModernBertNorm mlp_norm{nullptr};
  ModernBertMLP mlp{nullptr};
};
TORCH_MODULE(ModernBertEncoderLayer);

struct ModernBertModelImpl : TextEncoderImpl, TorchScriptSource {
  explicit ModernBertModelImpl(const ModernBertOptions& o);

  // pooler_output is undefined: ModernBertModel has none.
  TextEncoderOutput encode(const at::Tensor& input_ids, const at::Tensor& attention_mask) override;
  int64_t hidden_size() const override { return options.hidden_size; }
  int64_t vocab_size() const override { return options.vocab_size; }
  int64_t max_sequence_length() const override { return options.max_position_embeddings; }
  int64_t pad_token_id() const override { return options.pad_token_id; }
  void set_gradient_checkpointing(bool enabled) override { gradient_checkpointing = enabled; }
  // HF's _init_weights: truncated normals (cutoff initializer_cutoff_factor std) with std
  // initializer_range for embeddings, Wqkv and Wi and initializer_range / sqrt(2 layers) for the
  // Wo's; biases 0, norms 1/0.
  void reset_parameters_like_hf(uint64_t seed) override;
  std::string torchscript_forward() const override;

  ModernBertOptions options;
  bool gradient_checkpointing = false;
  ModernBertEmbeddings embeddings{nullptr};
  torch::nn::ModuleList layers{nullptr};
  ModernBertNorm final_norm{nullptr};
};

std::shared_ptr<TextEncoderImpl> make_modernbert(const HfConfig& config);

}  // namespace fdl
