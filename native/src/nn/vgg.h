// torchvision's VGG (torchvision/models/vgg.py): "features" (3x3 convolutions, optional batch norm,
// 2x2 max pooling), adaptive average pooling to 7x7, "classifier" up to its second 4096-wide
// layer: Ludwig 0.10 replaces classifier[6] (the 1000-class Linear) by Identity, so
// classifier.0 and classifier.3 and their keys stay and the features are 4096 wide.
#pragma once

#include <memory>
#include <string>

#include "nn/image_encoder.h"
#include "nn/layer_stack.h"

namespace fdl {

struct VggImpl : ImageEncoderImpl, TorchScriptSource {
  // depth 11, 13, 16 or 19 (torchvision's configurations A, B, D, E); batch_norm: the *_bn variants.
  VggImpl(int64_t depth, bool batch_norm);
  at::Tensor forward(const at::Tensor& images) override;  // [B, 3, H, W] -> [B, 4096]
  int64_t feature_size() const override { return 4096; }
  // kaiming_normal_ (fan_out, relu) convolutions, batch norm 1/0, normal(0, 0.01) linear, zero biases.
  void reset_parameters_like_torchvision(uint64_t seed) override;
  std::string torchscript_forward() const override;

  LayerStack features{nullptr}, classifier{nullptr};
};

// model_variant "11", "11_bn", "13", "13_bn", "16", "16_bn", "19", "19_bn".
std::shared_ptr<ImageEncoderImpl> make_vgg(const std::string& variant);

}  // namespace fdl
