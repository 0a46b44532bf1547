// torchvision's ShuffleNetV2 x0.5, x1.0, x1.5 and x2.0 (shufflenetv2.py) under its state_dict keys
// ("stage2.0.branch1.2.weight", "conv5.1.running_mean"), cut where Ludwig 0.10 cuts it: fc becomes
// Identity, so the features are conv5's spatial means (1024, or 2048 for x2_0).
#pragma once

#include <torch/nn/modules/container/sequential.h>

#include <memory>
#include <string>

#include "nn/image_encoder.h"
#include "nn/mobile_blocks.h"

namespace fdl {

// One ShuffleNetV2 unit. Stride 1: half the channels pass, the other half go through branch2. Stride 2:
// branch1 (depthwise 3x3/2, 1x1) and branch2 (1x1, depthwise 3x3/2, 1x1) both see the whole input.
// The halves are concatenated and their channels interleaved (channel shuffle, 2 groups).
struct ShuffleUnitImpl : torch::nn::Module, TorchScriptSource {
  ShuffleUnitImpl(int64_t in, int64_t out, int64_t stride);
  at::Tensor forward(const at::Tensor& x);  // [B, in, H, W] -> [B, out, H/stride, W/stride]
  std::string torchscript_forward() const override;

  int64_t stride;
  torch::nn::Sequential branch1{nullptr}, branch2{nullptr};
};
TORCH_MODULE(ShuffleUnit);

struct ShuffleNetV2Impl : ImageEncoderImpl, TorchScriptSource {
  explicit ShuffleNetV2Impl(const std::vector<int64_t>& stage_out_channels);  // 5 widths: conv1, stages 2-4, conv5
  at::Tensor forward(const at::Tensor& images) override;  // [B, 3, H, W] -> [B, conv5 width]
  int64_t feature_size() const override { return features_out; }
  void reset_parameters_like_torchvision(uint64_t seed) override;  // nn.Conv2d's defaults: torchvision sets none
  std::string torchscript_forward() const override;

  int64_t features_out;
  torch::nn::Sequential conv1{nullptr}, stage2{nullptr}, stage3{nullptr}, stage4{nullptr}, conv5{nullptr};
};

// Ludwig's model_variant: "x0_5", "x1_0", "x1_5" or "x2_0".
std::shared_ptr<ImageEncoderImpl> make_shufflenet_v2(const std::string& variant);

}  // namespace fdl
