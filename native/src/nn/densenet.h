// torchvision's DenseNet-BC 121, 161, 169 and 201 (densenet.py) under its state_dict keys
// ("features.denseblock2.denselayer3.norm1.weight", "features.transition1.conv.weight"), cut where
// Ludwig 0.10 cuts it: the classifier becomes Identity, so the features are relu(norm5) pooled
// (1024, 2208, 1664 and 1920 wide).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

#include <memory>
#include <string>
#include <vector>

#include "nn/image_encoder.h"
#include "nn/torchscript_source.h"

namespace fdl {

// _DenseLayer: growth_rate new channels from everything before it: norm1, relu, conv1 1x1 (to 4 x
// growth), norm2, relu, conv2 3x3.
struct DenseLayerImpl : torch::nn::Module, TorchScriptSource {
  DenseLayerImpl(int64_t in, int64_t growth_rate);
  at::Tensor forward(const at::Tensor& x);  // [B, in, H, W] -> [B, growth_rate, H, W]
  std::string torchscript_forward() const override;

  torch::nn::BatchNorm2d norm1{nullptr}, norm2{nullptr};
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
};
TORCH_MODULE(DenseLayer);

// _DenseBlock: "denselayer1".."denselayerN", each fed the concatenation of the input and all earlier outputs.
struct DenseBlockImpl : torch::nn::Module, TorchScriptSource {
  DenseBlockImpl(int64_t layers, int64_t in, int64_t growth_rate);
  at::Tensor forward(const at::Tensor& x);  // [B, in, H, W] -> [B, in + layers * growth_rate, H, W]
  std::string torchscript_forward() const override;

  std::vector<DenseLayer> layers;
};
TORCH_MODULE(DenseBlock);

// _Transition: norm, relu, conv 1x1 (halving the channels), 2x2 average pooling.
struct TransitionImpl : torch::nn::Module, TorchScriptSource {
  TransitionImpl(int64_t in, int64_t out);
  at::Tensor forward(const at::Tensor& x);  // [B, in, H, W] -> [B, out, H/2, W/2]
  std::string torchscript_forward() const override;

  torch::nn::BatchNorm2d norm{nullptr};
  torch::nn::Conv2d conv{nullptr};
};
TORCH_MODULE(Transition);

// DenseNet.features: conv0 7x7/2, norm0, relu, max pool 3x3/2, dense blocks with transitions between, norm5.
struct DenseNetFeaturesImpl : torch::nn::Module, TorchScriptSource {
  DenseNetFeaturesImpl(int64_t growth_rate, const std::vector<int64_t>& block_layers, int64_t init_features);
  at::Tensor forward(const at::Tensor& x);  // [B, 3, H, W] -> [B, out, H/32, W/32], before norm5's ReLU
  std::string torchscript_forward() const override;

  int64_t out = 0;
  torch::nn::Conv2d conv0{nullptr};
  torch::nn::BatchNorm2d norm0{nullptr}, norm5{nullptr};
  std::vector<DenseBlock> blocks;
  std::vector<Transition> transitions;
};
TORCH_MODULE(DenseNetFeatures);

struct DenseNetImpl : ImageEncoderImpl, TorchScriptSource {
  DenseNetImpl(int64_t growth_rate, const std::vector<int64_t>& block_layers, int64_t init_features);
  at::Tensor forward(const at::Tensor& images) override;  // [B, 3, H, W] -> [B, feature_size]
  int64_t feature_size() const override { return features->out; }
  void reset_parameters_like_torchvision(uint64_t seed) override;
  std::string torchscript_forward() const override;

  DenseNetFeatures features{nullptr};
};

// Ludwig's model_variant: "121", "161", "169" or "201" (an integer in Ludwig's config).
std::shared_ptr<ImageEncoderImpl> make_densenet(const std::string& variant);

}  // namespace fdl
