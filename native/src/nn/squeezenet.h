// torchvision's SqueezeNet 1.0 and 1.1 (torchvision/models/squeezenet.py): "features" (a strided
// convolution, Fire blocks, ceil-mode max pools) and "classifier" (dropout, final_conv 1x1 to 1000
// channels, ReLU, global average pooling). Ludwig 0.10 removes nothing from SqueezeNet (it has no
// final Linear), so the features are the 1000 pooled final_conv channels.
#pragma once

#include <torch/nn/modules/conv.h>

#include <memory>
#include <string>

#include "nn/image_encoder.h"
#include "nn/layer_stack.h"

namespace fdl {

// squeeze 1x1 -> ReLU -> [expand1x1, expand3x3] each with ReLU, concatenated on channels.
struct FireImpl : torch::nn::Module, TorchScriptSource {
  FireImpl(int64_t in, int64_t squeeze_planes, int64_t expand1x1_planes, int64_t expand3x3_planes);
  at::Tensor forward(const at::Tensor& x);  // [B, in, H, W] -> [B, expand1x1 + expand3x3, H, W]
  std::string torchscript_forward() const override;

  torch::nn::Conv2d squeeze{nullptr}, expand1x1{nullptr}, expand3x3{nullptr};
};
TORCH_MODULE(Fire);

struct SqueezeNetImpl : ImageEncoderImpl, TorchScriptSource {
  explicit SqueezeNetImpl(const std::string& version);  // "1_0" or "1_1"
  at::Tensor forward(const at::Tensor& images) override;  // [B, 3, H, W] -> [B, 1000]
  int64_t feature_size() const override { return 1000; }
  // kaiming_uniform_ convolutions, final_conv normal(0, 0.01), zero biases.
  void reset_parameters_like_torchvision(uint64_t seed) override;
  std::string torchscript_forward() const override;

  LayerStack features{nullptr}, classifier{nullptr};
};

// model_variant "1_0" or "1_1".
std::shared_ptr<ImageEncoderImpl> make_squeezenet(const std::string& variant);

}  // namespace fdl
