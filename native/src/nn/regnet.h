// torchvision's RegNetX and RegNetY (regnet.py) in every size Ludwig 0.10 lists (x/y: 400mf, 800mf,
// 1_6gf, 3_2gf, 8gf, 16gf, 32gf; y_128gf) under its state_dict keys
// ("trunk_output.block2.block2-0.f.se.fc1.weight"), cut where Ludwig cuts it: fc becomes Identity, so
// the features are the pooled last stage (its width: 400 for x_400mf ... 7392 for y_128gf).
#pragma once

#include <torch/nn/modules/container/sequential.h>

#include <memory>
#include <string>

#include "nn/image_encoder.h"
#include "nn/mobile_blocks.h"

namespace fdl {

// ResBottleneckBlock: x (or proj(x)) + f(x), then ReLU; f is "a" 1x1, "b" grouped 3x3 (stride), "se"
// (RegNetY), "c" 1x1.
struct RegNetBlockImpl : torch::nn::Module, TorchScriptSource {
  RegNetBlockImpl(int64_t in, int64_t out, int64_t stride, int64_t group_width, bool squeeze_excitation);
  at::Tensor forward(const at::Tensor& x);  // [B, in, H, W] -> [B, out, H/stride, W/stride]
  std::string torchscript_forward() const override;

  ConvNormAct proj{nullptr};  // 1x1 (strided) projection when the shape changes
  torch::nn::Sequential f{nullptr};
};
TORCH_MODULE(RegNetBlock);

struct RegNetImpl : ImageEncoderImpl, TorchScriptSource {
  explicit RegNetImpl(const std::string& variant);  // "x_400mf", ..., "y_128gf"
  at::Tensor forward(const at::Tensor& images) override;  // [B, 3, H, W] -> [B, last stage width]
  int64_t feature_size() const override { return features_out; }
  void reset_parameters_like_torchvision(uint64_t seed) override;
  std::string torchscript_forward() const override;

  int64_t features_out = 0;
  ConvNormAct stem{nullptr};                    // 3x3/2 to 32 channels
  torch::nn::Sequential trunk_output{nullptr};  // "block1".."block4", each of "block<stage>-<i>"
};

std::shared_ptr<ImageEncoderImpl> make_regnet(const std::string& variant);

}  // namespace fdl
