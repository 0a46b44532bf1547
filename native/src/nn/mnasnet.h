// torchvision's MNASNet 0.5, 0.75, 1.0 and 1.3 (mnasnet.py) under its state_dict keys
// ("layers.8.0.layers.3.weight": torchvision keeps the ReLUs in its Sequentials, so they shift the
// indices here too), cut where Ludwig 0.10 cuts it: classifier[-1] becomes Identity, so the features
// are the 1280 spatial means after classifier.0's dropout (0.2).
#pragma once

#include <torch/nn/modules/container/sequential.h>

#include <memory>
#include <string>

#include "nn/image_encoder.h"
#include "nn/mobile_blocks.h"

namespace fdl {

struct MNASNetImpl : ImageEncoderImpl, TorchScriptSource {
  explicit MNASNetImpl(double alpha);  // the depth multiplier: 0.5, 0.75, 1.0 or 1.3
  at::Tensor forward(const at::Tensor& images) override;  // [B, 3, H, W] -> [B, 1280]
  int64_t feature_size() const override { return 1280; }
  void reset_parameters_like_torchvision(uint64_t seed) override;
  std::string torchscript_forward() const override;

  double dropout = 0.2;
  torch::nn::Sequential layers{nullptr};
};

// Ludwig's model_variant: "0_5", "0_75", "1_0" or "1_3".
std::shared_ptr<ImageEncoderImpl> make_mnasnet(const std::string& variant);

}  // namespace fdl
