// torchvision's EfficientNet b0-b7 and V2 s/m/l (efficientnet.py) under its state_dict keys
// ("features.2.1.block.3.1.running_var"), cut where Ludwig 0.10 cuts it: classifier[-1] becomes
// Identity, so the features are the pooled last convolution (4 x the last stage's width for b0-b7,
// 1280 for V2) after classifier.0's dropout.
#pragma once

#include <torch/nn/modules/container/sequential.h>

#include <memory>
#include <string>

#include "nn/image_encoder.h"
#include "nn/mobile_blocks.h"

namespace fdl {

struct EfficientNetImpl : ImageEncoderImpl, TorchScriptSource {
  explicit EfficientNetImpl(const std::string& variant);  // "b0" ... "b7", "v2_s", "v2_m", "v2_l"
  at::Tensor forward(const at::Tensor& images) override;   // [B, 3, H, W] -> [B, feature_size]
  int64_t feature_size() const override { return features_out; }
  void reset_parameters_like_torchvision(uint64_t seed) override;
  std::string torchscript_forward() const override;
  // Dropout and every block's stochastic depth to 0: deterministic training (the gradient parity test).
  void disable_stochastic_regularisation();

  double dropout;  // classifier.0: 0.2 (b0, b1, v2_s) to 0.5 (b6, b7), active in training
  int64_t features_out = 0;
  torch::nn::Sequential features{nullptr};
};

std::shared_ptr<ImageEncoderImpl> make_efficientnet(const std::string& variant);

}  // namespace fdl
