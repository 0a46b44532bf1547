// A torchvision-compatible ResNet (torchvision/models/resnet.py, v1.5: the stride sits on the 3x3
// convolution of a bottleneck), written in the PyTorch C++ frontend style. Module names are
// torchvision's state_dict keys: "conv1.weight", "bn1.running_mean", "layer1.0.conv1.weight",
// "layer2.0.downsample.0.weight", ... so a torchvision checkpoint loads with no mapping table.
// The classification head ("fc.") is not built: the pooled features go to Fidelio's combiner.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

#include <cstdint>
#include <vector>

namespace fdl {

struct ResNetOptions {
  int64_t variant = 50;     // 18, 34, 50, 101 or 152
  int64_t in_channels = 3;  // torchvision's checkpoints take RGB

  bool bottleneck() const { return variant >= 50; }
  // Blocks per stage (torchvision's `layers` argument).
  std::vector<int64_t> blocks_per_stage() const;
  // Width of the pooled features: 512 (BasicBlock) or 2048 (Bottleneck).
  int64_t feature_size() const { return bottleneck() ? 2048 : 512; }
  // Throws (TORCH_CHECK) naming the field and value when the options cannot build a model.
  void validate() const;
};

// Two 3x3 convolutions with a residual connection (resnet18/34).
struct BasicBlockImpl : torch::nn::Module {
  BasicBlockImpl(int64_t in_planes, int64_t planes, int64_t stride);
  at::Tensor forward(const at::Tensor& x);  // [B, in, H, W] -> [B, planes, H/stride, W/stride]

  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::Sequential downsample{nullptr};  // 1x1 conv + batch norm when the shape changes
};
TORCH_MODULE(BasicBlock);

// 1x1 reduce, 3x3 (strided), 1x1 expand by 4, with a residual connection (resnet50/101/152).
struct BottleneckImpl : torch::nn::Module {
  BottleneckImpl(int64_t in_planes, int64_t planes, int64_t stride);
  at::Tensor forward(const at::Tensor& x);  // [B, in, H, W] -> [B, 4 * planes, H/stride, W/stride]

  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
  torch::nn::Sequential downsample{nullptr};
};
TORCH_MODULE(Bottleneck);

struct ResNetImpl : torch::nn::Module {
  explicit ResNetImpl(const ResNetOptions& o);
  // images [B, C, H, W] -> pooled features [B, feature_size]
  at::Tensor forward(const at::Tensor& images);
  // torchvision's initialisation (kaiming_normal_ fan_out for convolutions, batch norm weight 1,
  // bias 0), drawn from seed.
  void reset_parameters_like_torchvision(uint64_t seed);

  ResNetOptions options;
  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
};
TORCH_MODULE(ResNet);

// Throws FDL_ERR_INVALID_ARGUMENT unless images is floating point [B, in_channels, H, W], non-empty.
void require_images(const at::Tensor& images, const ResNetOptions& o);

}  // namespace fdl
