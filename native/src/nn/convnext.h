// torchvision's ConvNeXt (torchvision/models/convnext.py) under its state_dict keys
// ("features.1.0.block.0.weight", "features.1.0.layer_scale", "classifier.0.weight", ...), cut
// where Ludwig 0.10 cuts it: classifier[-1] (the Linear) is gone, so the features are the pooled,
// LayerNorm2d-normalised last stage, [B, 768] for tiny and small, 1024 base, 1536 large.
#pragma once

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/normalization.h>

#include <memory>
#include <string>
#include <vector>

#include "nn/image_encoder.h"
#include "nn/vision_blocks.h"

namespace fdl {

struct ConvNeXtStage {
  int64_t channels;
  int64_t out_channels;  // after the stage's downsampling; 0 for the last stage
  int64_t blocks;
};

struct ConvNeXtOptions {
  std::vector<ConvNeXtStage> stages;
  double stochastic_depth_prob;  // the last block's; earlier blocks scale linearly from 0
  // Ludwig's model_variant: tiny, small, base or large (torchvision's convnext_<variant>).
  static ConvNeXtOptions variant(const std::string& name);
};

// Depthwise 7x7 conv, LayerNorm, Linear 4x, GELU, Linear, layer scale, stochastic depth, residual.
struct CNBlockImpl : torch::nn::Module, TorchScriptSource {
  CNBlockImpl(int64_t dim, double stochastic_depth_prob);
  at::Tensor forward(const at::Tensor& x);  // [B, dim, H, W] -> same
  std::string torchscript_forward() const override;

  torch::nn::Conv2d depthwise{nullptr};  // block.0
  torch::nn::LayerNorm norm{nullptr};    // block.2 (after Permute to NHWC)
  torch::nn::Linear expand{nullptr};     // block.3
  torch::nn::Linear project{nullptr};    // block.5 (GELU at block.4, Permute back at block.6)
  at::Tensor layer_scale;                // [dim, 1, 1]
  double stochastic_depth_prob;
};
TORCH_MODULE(CNBlock);

struct ConvNeXtImpl : ImageEncoderImpl, TorchScriptSource {
  explicit ConvNeXtImpl(const ConvNeXtOptions& o);
  at::Tensor forward(const at::Tensor& images) override;  // [B, 3, H, W] (H, W >= 32) -> [B, F]
  int64_t feature_size() const override { return feature_size_; }
  // trunc_normal_(std=0.02) for every Conv2d and Linear weight, zero biases, unit norms, layer
  // scale 1e-6 (torchvision's construction).
  void reset_parameters_like_torchvision(uint64_t seed) override;
  std::string torchscript_forward() const override;

  ConvNeXtOptions options;
  torch::nn::Sequential features{nullptr};
  IndexedLayers classifier{nullptr};  // classifier.0: LayerNorm2d (Flatten at 1, the cut Linear at 2)
  LayerNorm2d head_norm{nullptr};
  int64_t feature_size_;
};
TORCH_MODULE(ConvNeXt);

// Ludwig's convnext model_variant; unknown ones are FDL_ERR_INVALID_ARGUMENT naming the valid ones.
std::shared_ptr<ImageEncoderImpl> make_convnext(const std::string& variant);

}  // namespace fdl
