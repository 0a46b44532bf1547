// torchvision's MaxViT (torchvision/models/maxvit.py, maxvit_t) under its state_dict keys
// ("stem.0.0.weight", "blocks.0.layers.0.layers.MBconv.layers.conv_b.1.running_var",
// "blocks.0.layers.0.layers.window_attention.attn_layer.1.relative_position_bias_table", ...), cut
// where Ludwig 0.10 cuts it: classifier[-1] (the bias-free Linear) is gone, so the features are
// tanh(Linear(LayerNorm(pooled))): [B, 512]. The partition layout is fixed at construction, so the
// images are 224x224 (the default weights' size, as Ludwig builds it).
#pragma once

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <memory>
#include <string>
#include <vector>

#include "nn/image_encoder.h"
#include "nn/mobile_blocks.h"
#include "nn/vision_blocks.h"

namespace fdl {

struct MaxVitOptions {
  int64_t input_size = 224;
  int64_t stem_channels = 64, partition_size = 7, head_dim = 32;
  std::vector<int64_t> block_channels = {64, 128, 256, 512}, block_layers = {2, 2, 5, 2};
  double stochastic_depth_prob = 0.2;  // the last layer's; linearly from 0 (np.linspace)
  // Ludwig's model_variant: t (torchvision's maxvit_t), the only one.
  static MaxVitOptions variant(const std::string& name);
};

// Mobile inverted bottleneck: pre-norm, 1x1 expand 4x, depthwise 3x3 (strided), squeeze-excitation,
// 1x1 project, plus the (avg-pooled, 1x1-projected) shortcut.
struct MBConvImpl : torch::nn::Module, TorchScriptSource {
  MBConvImpl(int64_t in, int64_t out, int64_t stride, double stochastic_depth_prob);
  at::Tensor forward(const at::Tensor& x);  // [B, in, H, W] -> [B, out, H/stride, W/stride]
  std::string torchscript_forward() const override;

  int64_t stride;
  double stochastic_depth_prob;
  torch::nn::Conv2d projection{nullptr};  // proj.1 (after a 3x3/2 average pool), or proj.0; null for identity
  torch::nn::BatchNorm2d pre_norm{nullptr};
  NestedSequential conv_a{nullptr}, conv_b{nullptr};  // conv, batch norm (GELU after)
  SqueezeExcitation squeeze_excitation{nullptr};  // torchvision's, SiLU inside, sigmoid gate
  torch::nn::Conv2d conv_c{nullptr};
};
TORCH_MODULE(MBConv);

// Multi-head attention within each group with a learned relative position bias; torchvision scales
// the keys by feat_dim^-0.5 (not head_dim^-0.5), and so does this.
struct RelativePositionalAttentionImpl : torch::nn::Module, TorchScriptSource {
  RelativePositionalAttentionImpl(int64_t dim, int64_t head_dim, int64_t window);
  at::Tensor forward(const at::Tensor& x);  // [B, G, P, dim] -> same
  std::string torchscript_forward() const override;

  int64_t dim, heads, head_dim, length;
  torch::nn::Linear to_qkv{nullptr}, merge{nullptr};
  at::Tensor relative_position_bias_table;  // [(2 window - 1)^2, heads]
  at::Tensor relative_position_index;       // [P, P] int64 buffer
};
TORCH_MODULE(RelativePositionalAttention);

// Attention and MLP over window partitions (partition_size^2 neighbouring positions) or grid
// partitions (positions spaced grid/partition_size apart), NCHW in and out.
struct PartitionAttentionImpl : torch::nn::Module, TorchScriptSource {
  PartitionAttentionImpl(int64_t dim, int64_t head_dim, int64_t partition_size, bool grid, int64_t grid_size,
                         double stochastic_depth_prob);
  at::Tensor forward(const at::Tensor& x);  // [B, C, S, S] -> same, S = grid_size
  std::string torchscript_forward() const override;

  int64_t p, grid_size;
  bool grid;
  double stochastic_depth_prob;
  torch::nn::LayerNorm attn_norm{nullptr}, mlp_norm{nullptr};
  RelativePositionalAttention attention{nullptr};
  torch::nn::Linear mlp_expand{nullptr}, mlp_project{nullptr};
};
TORCH_MODULE(PartitionAttention);

// A module whose only child is "layers" (torchvision's MaxVitLayer and MaxVitBlock), run in order.
struct LayersImpl : torch::nn::Module, TorchScriptSource {
  explicit LayersImpl(NestedSequential layers);
  at::Tensor forward(const at::Tensor& x) { return layers->forward(x); }
  std::string torchscript_forward() const override;

  NestedSequential layers;
};
TORCH_MODULE(Layers);

struct MaxVitImpl : ImageEncoderImpl, TorchScriptSource {
  explicit MaxVitImpl(const MaxVitOptions& o);
  at::Tensor forward(const at::Tensor& images) override;  // [B, 3, 224, 224] -> [B, 512]
  int64_t feature_size() const override { return options.block_channels.back(); }
  // torchvision's _init_weights: normal_(std=0.02) for convolutions and linears with zero biases,
  // unit batch norms; relative position tables trunc_normal_(std=0.02).
  void reset_parameters_like_torchvision(uint64_t seed) override;
  std::string torchscript_forward() const override;

  MaxVitOptions options;
  NestedSequential stem_conv{nullptr}, stem_proj{nullptr};  // stem.0 (conv, batch norm; GELU after), stem.1 (conv)
  NestedSequential blocks{nullptr};
  torch::nn::LayerNorm head_norm{nullptr};  // classifier.2
  torch::nn::Linear head_linear{nullptr};   // classifier.3 (Tanh after; the cut Linear is classifier.5)
};
TORCH_MODULE(MaxVit);

// Ludwig's maxvit model_variant; unknown ones are FDL_ERR_INVALID_ARGUMENT naming the valid ones.
std::shared_ptr<ImageEncoderImpl> make_maxvit(const std::string& variant);

}  // namespace fdl
