// The pieces of torchvision's GoogLeNet (googlenet.py) and Inception v3 (inception.py):
// BasicConv2d (conv without bias, batch norm eps 1e-3, ReLU) and an inception block described as
// data: branches of poolings and BasicConv2ds run side by side and concatenated along channels.
// One description drives the C++ forward and the TorchScript source, so they cannot drift apart.
#pragma once

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

#include <array>
#include <string>
#include <vector>

#include "nn/torchscript_source.h"
#include "nn/vision_blocks.h"

namespace fdl {

struct ConvShape {
  std::array<int64_t, 2> kernel;
  int64_t stride = 1;
  std::array<int64_t, 2> padding = {0, 0};
};

struct BasicConv2dImpl : torch::nn::Module, TorchScriptSource {
  BasicConv2dImpl(int64_t in, int64_t out, const ConvShape& shape);
  at::Tensor forward(const at::Tensor& x);  // [B, in, H, W] -> [B, out, H', W']
  std::string torchscript_forward() const override;

  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
};
TORCH_MODULE(BasicConv2d);

// The poolings torchvision's inception blocks use.
enum class InceptionPool {
  None,
  Max3Stride1Ceil,  // GoogLeNet's branch4: MaxPool2d(3, stride=1, padding=1, ceil_mode=True)
  Avg3Stride1,      // Inception v3 A, C, E: avg_pool2d(3, stride=1, padding=1)
  Max3Stride2,      // Inception v3 B, D: max_pool2d(3, stride=2)
};

// Applies pool to x (identity for None), and its TorchScript expression.
at::Tensor apply_pool(InceptionPool pool, const at::Tensor& x);
std::string pool_code(InceptionPool pool, const std::string& x);

struct InceptionBlockImpl : torch::nn::Module, TorchScriptSource {
  // One step of a branch: a pooling, or a BasicConv2d under its torchvision key ("branch1x1",
  // "branch2.0"), or the last step of Inception v3 E's split branches: two convolutions of the same
  // input, concatenated.
  struct Step {
    InceptionPool pool = InceptionPool::None;
    BasicConv2d conv{nullptr}, split{nullptr};
    std::string conv_path, split_path;  // TorchScript expressions for the modules
  };

  // Registers a BasicConv2d under key (a dotted key nests it, as a torchvision Sequential index).
  Step conv(const std::string& key, int64_t in, int64_t out, const ConvShape& shape);
  static Step pool(InceptionPool p);
  Step split(const std::string& key_a, const std::string& key_b, int64_t in, int64_t out, const ConvShape& shape_a,
             const ConvShape& shape_b);
  void add_branch(std::vector<Step> steps) { branches.push_back(std::move(steps)); }

  at::Tensor forward(const at::Tensor& x);  // [B, in, H, W] -> [B, sum of branch widths, H', W']
  std::string torchscript_forward() const override;

  std::vector<std::vector<Step>> branches;
};
TORCH_MODULE(InceptionBlock);

// torchvision's transform_input (on for its pretrained weights): images standardised with
// ImageNet's mean and std re-standardised to the (x - 0.5) / 0.5 the original weights expect.
at::Tensor transform_input(const at::Tensor& x);
std::string transform_input_code();

// torchvision's init_weights: trunc_normal_(std) for every Conv2d and Linear weight, batch norm
// weight 1 and bias 0 (running statistics reset).
void reset_inception_parameters(torch::nn::Module& model, double std, uint64_t seed);

}  // namespace fdl
