// torchvision's ResNet family (torchvision/models/resnet.py, v1.5: the stride sits on the 3x3
// convolution of a bottleneck): resnet, and resnext / wide_resnet, which are the same network with
// grouped or wider bottlenecks (torchvision builds all three with one ResNet class). Module names are
// torchvision's state_dict keys: "conv1.weight", "bn1.running_mean", "layer1.0.conv1.weight",
// "layer2.0.downsample.0.weight", ... so a torchvision checkpoint loads with no mapping table.
// The classification head ("fc.") is not built: Ludwig replaces it by Identity, so the pooled
// features go to Fidelio's combiner.
#pragma once

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nn/image_encoder.h"
#include "nn/torchscript_source.h"

namespace fdl {

struct ResNetOptions {
  int64_t depth = 50;           // 18, 34, 50, 101 or 152
  int64_t groups = 1;           // resnext: 32 or 64 groups in the 3x3 convolution
  int64_t width_per_group = 64; // resnext 4 or 8, wide_resnet 128 (twice the bottleneck width)
  int64_t in_channels = 3;      // torchvision's checkpoints take RGB

  bool bottleneck() const { return depth >= 50; }
  // Blocks per stage (torchvision's `layers` argument).
  std::vector<int64_t> blocks_per_stage() const;
  // Width of the pooled features: 512 (BasicBlock) or 2048 (Bottleneck).
  int64_t feature_size() const { return bottleneck() ? 2048 : 512; }
  // Throws (TORCH_CHECK) naming the field and value when the options cannot build a model.
  void validate() const;
};

// Two 3x3 convolutions with a residual connection (resnet18/34).
struct BasicBlockImpl : torch::nn::Module, TorchScriptSource {
  BasicBlockImpl(int64_t in_planes, int64_t planes, int64_t stride);
  at::Tensor forward(const at::Tensor& x);  // [B, in, H, W] -> [B, planes, H/stride, W/stride]
  std::string torchscript_forward() const override;

  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::Sequential downsample{nullptr};  // 1x1 conv + batch norm when the shape changes
};
TORCH_MODULE(BasicBlock);

// 1x1 reduce to width, 3x3 (strided, grouped), 1x1 expand to 4 * planes, with a residual connection
// (resnet50+, resnext, wide_resnet). width = planes * width_per_group / 64 * groups, as torchvision.
struct BottleneckImpl : torch::nn::Module, TorchScriptSource {
  BottleneckImpl(int64_t in_planes, int64_t planes, int64_t stride, int64_t groups, int64_t width_per_group);
  at::Tensor forward(const at::Tensor& x);  // [B, in, H, W] -> [B, 4 * planes, H/stride, W/stride]
  std::string torchscript_forward() const override;

  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
  torch::nn::Sequential downsample{nullptr};
};
TORCH_MODULE(Bottleneck);

struct ResNetImpl : ImageEncoderImpl, TorchScriptSource {
  explicit ResNetImpl(const ResNetOptions& o);
  // images [B, C, H, W] -> pooled features [B, feature_size]
  at::Tensor forward(const at::Tensor& images) override;
  int64_t feature_size() const override { return options.feature_size(); }
  int64_t in_channels() const override { return options.in_channels; }
  // torchvision's initialisation (kaiming_normal_ fan_out for convolutions, batch norm weight 1,
  // bias 0), drawn from seed.
  void reset_parameters_like_torchvision(uint64_t seed) override;
  std::string torchscript_forward() const override;

  ResNetOptions options;
  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
};
TORCH_MODULE(ResNet);

// Ludwig's model_variant of each type: resnet "18".."152", resnext "50_32x4d", "101_32x8d",
// "101_64x4d", wide_resnet "50_2", "101_2". in_channels other than 3 only for resnet without
// pretrained weights (Fidelio's grayscale / RGBA support).
std::shared_ptr<ImageEncoderImpl> make_resnet(const std::string& variant, int64_t in_channels = 3);
std::shared_ptr<ImageEncoderImpl> make_resnext(const std::string& variant);
std::shared_ptr<ImageEncoderImpl> make_wide_resnet(const std::string& variant);

// torchvision's kaiming_normal_(mode="fan_out", nonlinearity="relu") for a convolution weight, drawn on
// the CPU from generator so the values do not depend on the device. Shared by the CNN families.
void kaiming_normal_fan_out_(const at::Tensor& weight, at::Generator& generator);

}  // namespace fdl
