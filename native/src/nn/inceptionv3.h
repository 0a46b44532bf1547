// torchvision's Inception v3 (torchvision/models/inception.py) under its state_dict keys
// ("Conv2d_1a_3x3.conv.weight", "Mixed_5b.branch5x5_2.bn.running_mean", "Mixed_7c.branch3x3_2a...",
// ...), as Ludwig 0.10 builds it: AuxLogits dropped (no AuxLogits keys) and fc cut, so the
// features are the pooled 2048 channels after dropout. transform_input is on, as torchvision sets
// it for its pretrained weights (Ludwig's default, use_pretrained).
#pragma once

#include <memory>
#include <string>

#include "nn/image_encoder.h"
#include "nn/inception_blocks.h"

namespace fdl {

struct InceptionV3Options {
  bool transform_input = true;
  double dropout = 0.5;
};

struct InceptionV3Impl : ImageEncoderImpl, TorchScriptSource {
  explicit InceptionV3Impl(const InceptionV3Options& o = {});
  at::Tensor forward(const at::Tensor& images) override;  // [B, 3, H, W] (H, W >= 75) -> [B, 2048]
  int64_t feature_size() const override { return 2048; }
  // torchvision's init_weights: trunc_normal_(std=0.1) convolutions, unit batch norms.
  void reset_parameters_like_torchvision(uint64_t seed) override;
  std::string torchscript_forward() const override;

  InceptionV3Options options;
  BasicConv2d Conv2d_1a_3x3{nullptr}, Conv2d_2a_3x3{nullptr}, Conv2d_2b_3x3{nullptr}, Conv2d_3b_1x1{nullptr},
      Conv2d_4a_3x3{nullptr};
  // Mixed_5b ... Mixed_7c in order.
  std::vector<InceptionBlock> mixed;
};
TORCH_MODULE(InceptionV3);

// Ludwig's inceptionv3 model_variant ("base", the only one); others are FDL_ERR_INVALID_ARGUMENT.
std::shared_ptr<ImageEncoderImpl> make_inceptionv3(const std::string& variant);

}  // namespace fdl
