// torchvision's MobileNetV2 (mobilenetv2.py) and MobileNetV3 small/large (mobilenetv3.py) under their
// state_dict keys ("features.1.conv.0.0.weight", "features.4.block.2.fc1.bias", "classifier.0.weight"),
// cut where Ludwig 0.10 cuts them: classifier[-1] becomes Identity, so V2 gives the 1280 pooled
// features (after dropout 0.2) and V3 its classifier.0 Linear + hardswish + dropout 0.2 (1024 small,
// 1280 large).
#pragma once

#include <torch/nn/modules/container/sequential.h>

#include <memory>
#include <string>

#include "nn/image_encoder.h"
#include "nn/mobile_blocks.h"

namespace fdl {

struct MobileNetV2Impl : ImageEncoderImpl, TorchScriptSource {
  MobileNetV2Impl();
  at::Tensor forward(const at::Tensor& images) override;  // [B, 3, H, W] -> [B, 1280]
  int64_t feature_size() const override { return 1280; }
  void reset_parameters_like_torchvision(uint64_t seed) override;
  std::string torchscript_forward() const override;

  double dropout = 0.2;  // classifier.0, active in training (Ludwig keeps it)
  torch::nn::Sequential features{nullptr};
};

struct MobileNetV3Impl : ImageEncoderImpl, TorchScriptSource {
  explicit MobileNetV3Impl(bool large);
  at::Tensor forward(const at::Tensor& images) override;  // [B, 3, H, W] -> [B, 1024 or 1280]
  int64_t feature_size() const override { return large ? 1280 : 1024; }
  void reset_parameters_like_torchvision(uint64_t seed) override;
  std::string torchscript_forward() const override;

  bool large;
  double dropout = 0.2;  // classifier.2
  torch::nn::Sequential features{nullptr};
  torch::nn::Sequential classifier{nullptr};  // "0": Linear(6 * last block width, feature_size)
};

// Ludwig's model_variant: "base" for mobilenetv2; "small" or "large" for mobilenetv3.
std::shared_ptr<ImageEncoderImpl> make_mobilenetv2(const std::string& variant);
std::shared_ptr<ImageEncoderImpl> make_mobilenetv3(const std::string& variant);

}  // namespace fdl
