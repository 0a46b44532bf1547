// torchvision's Swin Transformer v1 (torchvision/models/swin_transformer.py: swin_t, swin_s,
// swin_b) under its state_dict keys ("features.0.0.weight", "features.1.0.attn.qkv.weight",
// "features.1.1.attn.relative_position_bias_table", "...attn.relative_position_index",
// "features.2.reduction.weight", "norm.weight", ...), cut where Ludwig 0.10 cuts it: head is gone,
// so the features are the final LayerNorm's output averaged over positions: [B, 768] for t and s,
// 1024 for b.
#pragma once

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <memory>
#include <string>
#include <vector>

#include "nn/image_encoder.h"
#include "nn/vision_blocks.h"

namespace fdl {

struct SwinOptions {
  int64_t embed_dim;
  std::vector<int64_t> depths, num_heads;
  double stochastic_depth_prob;  // the last block's; earlier blocks scale linearly from 0
  int64_t window_size = 7, patch_size = 4;
  double dropout = 0.0, attention_dropout = 0.0;
  // Ludwig's model_variant: t, s or b (torchvision's swin_<variant>).
  static SwinOptions variant(const std::string& name);
};

// features.0: 4x4/4 patchify convolution ("0"), Permute to NHWC, LayerNorm ("2").
struct SwinPatchEmbedImpl : torch::nn::Module, TorchScriptSource {
  SwinPatchEmbedImpl(int64_t patch_size, int64_t dim);
  at::Tensor forward(const at::Tensor& images);  // [B, 3, H, W] -> [B, H/4, W/4, dim]
  std::string torchscript_forward() const override;

  torch::nn::Conv2d conv{nullptr};
  torch::nn::LayerNorm norm{nullptr};
};
TORCH_MODULE(SwinPatchEmbed);

// 2x2 neighbourhoods concatenated (odd sizes padded), LayerNorm, Linear 4C -> 2C.
struct PatchMergingImpl : torch::nn::Module, TorchScriptSource {
  explicit PatchMergingImpl(int64_t dim);
  at::Tensor forward(const at::Tensor& x);  // [B, H, W, C] -> [B, ceil(H/2), ceil(W/2), 2C]
  std::string torchscript_forward() const override;

  torch::nn::Linear reduction{nullptr};
  torch::nn::LayerNorm norm{nullptr};
};
TORCH_MODULE(PatchMerging);

// Multi-head self-attention within window_size^2 windows (the map padded to whole windows), with a
// learned relative position bias; shifted blocks roll the map by shift first and mask attention
// between positions that the roll brought together from different regions. torchvision turns the
// shift off along a side that one window already covers.
struct ShiftedWindowAttentionImpl : torch::nn::Module, TorchScriptSource {
  ShiftedWindowAttentionImpl(int64_t dim, int64_t window_size, int64_t shift, int64_t num_heads,
                             double attention_dropout, double dropout);
  at::Tensor forward(const at::Tensor& x);  // [B, H, W, dim] -> same
  std::string torchscript_forward() const override;

  int64_t dim, window_size, shift, num_heads;
  double attention_dropout, dropout;
  torch::nn::Linear qkv{nullptr}, proj{nullptr};
  at::Tensor relative_position_bias_table;  // [(2 ws - 1)^2, heads]
  at::Tensor relative_position_index;       // [ws^4] int64 buffer (saved in torchvision's state_dict)
};
TORCH_MODULE(ShiftedWindowAttention);

struct SwinBlockImpl : torch::nn::Module, TorchScriptSource {
  SwinBlockImpl(const SwinOptions& o, int64_t dim, int64_t num_heads, int64_t shift, double stochastic_depth_prob);
  at::Tensor forward(const at::Tensor& x);  // [B, H, W, dim] -> same
  std::string torchscript_forward() const override;

  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  ShiftedWindowAttention attn{nullptr};
  TransformerMlp mlp{nullptr};
  double stochastic_depth_prob;
};
TORCH_MODULE(SwinBlock);

struct SwinTransformerImpl : ImageEncoderImpl, TorchScriptSource {
  explicit SwinTransformerImpl(const SwinOptions& o);
  at::Tensor forward(const at::Tensor& images) override;  // [B, 3, H, W] -> [B, 8 embed_dim]
  int64_t feature_size() const override { return options.embed_dim * 8; }
  // torchvision's: every Linear trunc_normal_(std=0.02) with zero bias, relative position bias
  // tables trunc_normal_(std=0.02), the patchify conv nn.Conv2d's default, unit norms.
  void reset_parameters_like_torchvision(uint64_t seed) override;
  std::string torchscript_forward() const override;

  SwinOptions options;
  torch::nn::Sequential features{nullptr};
  torch::nn::LayerNorm norm{nullptr};
};
TORCH_MODULE(SwinTransformer);

// Ludwig's swin_transformer model_variant; unknown ones are FDL_ERR_INVALID_ARGUMENT naming the valid ones.
std::shared_ptr<ImageEncoderImpl> make_swin_transformer(const std::string& variant);

}  // namespace fdl
