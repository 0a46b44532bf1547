// torchvision's AlexNet (torchvision/models/alexnet.py, the "one weird trick" variant): "features"
// (five convolutions, three max pools), adaptive average pooling to 6x6, "classifier" up to its
// second 4096-wide layer: Ludwig 0.10 replaces classifier[6] (the 1000-class Linear) by Identity.
#pragma once

#include <memory>
#include <string>

#include "nn/image_encoder.h"
#include "nn/layer_stack.h"

namespace fdl {

struct AlexNetImpl : ImageEncoderImpl, TorchScriptSource {
  AlexNetImpl();
  at::Tensor forward(const at::Tensor& images) override;  // [B, 3, H, W] (H, W >= 63) -> [B, 4096]
  int64_t feature_size() const override { return 4096; }
  // AlexNet keeps PyTorch's layer defaults: weights and biases uniform(+-1/sqrt(fan_in)).
  void reset_parameters_like_torchvision(uint64_t seed) override;
  std::string torchscript_forward() const override;

  LayerStack features{nullptr}, classifier{nullptr};
};

// model_variant "base" (Ludwig's only one).
std::shared_ptr<ImageEncoderImpl> make_alexnet(const std::string& variant);

}  // namespace fdl
