// torchvision's VisionTransformer (torchvision/models/vision_transformer.py) under its state_dict
// keys ("conv_proj.weight", "class_token", "encoder.pos_embedding",
// "encoder.layers.encoder_layer_0.self_attention.in_proj_weight", "encoder.ln.bias", ...), cut
// where Ludwig 0.10 cuts it: heads[-1] (heads.head, the only head layer) is gone, so the features
// are the class token after encoder.ln: [B, 768] for b_16/b_32, 1024 l_16/l_32, 1280 h_14.
#pragma once

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <memory>
#include <string>

#include "nn/image_encoder.h"
#include "nn/vision_blocks.h"

namespace fdl {

struct ViTOptions {
  int64_t patch_size, num_layers, num_heads, hidden_dim, mlp_dim;
  // The position embedding's size fixes it: 224, or 518 for h_14, as Ludwig builds them (the
  // default weights' crop size).
  int64_t image_size;
  double dropout = 0.0, attention_dropout = 0.0;
  // Ludwig's model_variant: b_16, b_32, l_16, l_32 or h_14 (torchvision's vit_<variant>).
  static ViTOptions variant(const std::string& name);
};

// nn.MultiheadAttention(dim, heads, batch_first=True) as self-attention, under its keys:
// in_proj_weight [3 dim, dim], in_proj_bias [3 dim], out_proj.{weight,bias}.
struct MultiheadSelfAttentionImpl : torch::nn::Module, TorchScriptSource {
  MultiheadSelfAttentionImpl(int64_t dim, int64_t num_heads, double dropout);
  at::Tensor forward(const at::Tensor& x);  // [B, T, dim] -> [B, T, dim]
  std::string torchscript_forward() const override;

  int64_t dim, num_heads;
  double dropout;
  at::Tensor in_proj_weight, in_proj_bias;
  torch::nn::Linear out_proj{nullptr};
};
TORCH_MODULE(MultiheadSelfAttention);

// Pre-norm transformer block: x + attention(ln_1(x)), then + mlp(ln_2(.)).
struct ViTEncoderBlockImpl : torch::nn::Module, TorchScriptSource {
  explicit ViTEncoderBlockImpl(const ViTOptions& o);
  at::Tensor forward(const at::Tensor& x);  // [B, T, D] -> [B, T, D]
  std::string torchscript_forward() const override;

  torch::nn::LayerNorm ln_1{nullptr}, ln_2{nullptr};
  MultiheadSelfAttention self_attention{nullptr};
  TransformerMlp mlp{nullptr};
  double dropout;
};
TORCH_MODULE(ViTEncoderBlock);

struct ViTEncoderImpl : torch::nn::Module, TorchScriptSource {
  ViTEncoderImpl(const ViTOptions& o, int64_t sequence_length);
  at::Tensor forward(const at::Tensor& x);  // [B, T, D] -> [B, T, D]
  std::string torchscript_forward() const override;

  at::Tensor pos_embedding;  // [1, T, D]
  torch::nn::Sequential layers{nullptr};
  torch::nn::LayerNorm ln{nullptr};
  double dropout;
};
TORCH_MODULE(ViTEncoder);

struct VisionTransformerImpl : ImageEncoderImpl, TorchScriptSource {
  explicit VisionTransformerImpl(const ViTOptions& o);
  at::Tensor forward(const at::Tensor& images) override;  // [B, 3, S, S], S = image_size -> [B, D]
  int64_t feature_size() const override { return options.hidden_dim; }
  // torchvision's: conv_proj trunc_normal_(std=sqrt(1/fan_in)), position embedding normal(0.02),
  // class token 0, attention in_proj xavier_uniform_, MLP xavier_uniform_ with normal(1e-6) biases.
  void reset_parameters_like_torchvision(uint64_t seed) override;
  std::string torchscript_forward() const override;

  ViTOptions options;
  torch::nn::Conv2d conv_proj{nullptr};
  at::Tensor class_token;  // [1, 1, D]
  ViTEncoder encoder{nullptr};
};
TORCH_MODULE(VisionTransformer);

// Ludwig's vit model_variant; unknown ones are FDL_ERR_INVALID_ARGUMENT naming the valid ones.
std::shared_ptr<ImageEncoderImpl> make_vit(const std::string& variant);

}  // namespace fdl
