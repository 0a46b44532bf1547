// DenseNet-BC as torchvision builds it (bottleneck size 4, compression 0.5, no dropout).
#include "nn/densenet.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "core/failure.h"
#include "nn/mobile_blocks.h"

namespace fdl {

namespace nn = torch::nn;

namespace {

nn::BatchNorm2d norm(int64_t channels) { return nn::BatchNorm2d(nn::BatchNorm2dOptions(channels)); }

const std::string kTensorIn = "def forward(self, x: Tensor) -> Tensor:\n";

}  // namespace

DenseLayerImpl::DenseLayerImpl(int64_t in, int64_t growth_rate) {
  norm1 = register_module("norm1", norm(in));
  conv1 = register_module("conv1", same_conv(in, 4 * growth_rate, 1));
  norm2 = register_module("norm2", norm(4 * growth_rate));
  conv2 = register_module("conv2", same_conv(4 * growth_rate, growth_rate, 3));
}

at::Tensor DenseLayerImpl::forward(const at::Tensor& x) {
  at::Tensor bottleneck = conv1->forward(at::relu(norm1->forward(x)));
  return conv2->forward(at::relu(norm2->forward(bottleneck)));
}

std::string DenseLayerImpl::torchscript_forward() const {
  return kTensorIn +
         "    x = self.conv1.forward(torch.relu(self.norm1.forward(x)))\n"
         "    return self.conv2.forward(torch.relu(self.norm2.forward(x)))\n";
}

DenseBlockImpl::DenseBlockImpl(int64_t count, int64_t in, int64_t growth_rate) {
  for (int64_t i = 0; i < count; ++i) {
    std::string name = "denselayer" + std::to_string(i + 1);
    layers.push_back(register_module(name, DenseLayer(in + i * growth_rate, growth_rate)));
  }
}

at::Tensor DenseBlockImpl::forward(const at::Tensor& x) {
  // Each layer sees the input and every earlier output concatenated (torchvision's torch.cat(inputs, 1)).
  at::Tensor features = x;
  for (auto& layer : layers) features = at::cat({features, layer->forward(features)}, 1);
  return features;
}

std::string DenseBlockImpl::torchscript_forward() const {
  std::string code = kTensorIn;
  for (size_t i = 1; i <= layers.size(); ++i) {
    code += "    x = torch.cat([x, self.denselayer" + std::to_string(i) + ".forward(x)], 1)\n";
  }
  return code + "    return x\n";
}

TransitionImpl::TransitionImpl(int64_t in, int64_t out) {
  norm = register_module("norm", fdl::norm(in));
  conv = register_module("conv", same_conv(in, out, 1));
}

at::Tensor TransitionImpl::forward(const at::Tensor& x) {
  return at::avg_pool2d(conv->forward(at::relu(norm->forward(x))), {2, 2}, {2, 2});
}

std::string TransitionImpl::torchscript_forward() const {
  return kTensorIn +
         "    return torch.avg_pool2d(self.conv.forward(torch.relu(self.norm.forward(x))), [2, 2], [2, 2])\n";
}

DenseNetFeaturesImpl::DenseNetFeaturesImpl(int64_t growth_rate, const std::vector<int64_t>& block_layers,
                                           int64_t init_features) {
  conv0 = register_module("conv0", nn::Conv2d(nn::Conv2dOptions(3, init_features, 7).stride(2).padding(3).bias(false)));
  norm0 = register_module("norm0", norm(init_features));
  int64_t channels = init_features;
  for (size_t i = 0; i < block_layers.size(); ++i) {
    std::string n = std::to_string(i + 1);
    blocks.push_back(register_module("denseblock" + n, DenseBlock(block_layers[i], channels, growth_rate)));
    channels += block_layers[i] * growth_rate;
    if (i + 1 < block_layers.size()) {
      transitions.push_back(register_module("transition" + n, Transition(channels, channels / 2)));
      channels /= 2;
    }
  }
  norm5 = register_module("norm5", norm(channels));
  out = channels;
}

at::Tensor DenseNetFeaturesImpl::forward(const at::Tensor& x) {
  at::Tensor h = at::max_pool2d(at::relu(norm0->forward(conv0->forward(x))), {3, 3}, {2, 2}, {1, 1});
  for (size_t i = 0; i < blocks.size(); ++i) {
    h = blocks[i]->forward(h);
    if (i < transitions.size()) h = transitions[i]->forward(h);
  }
  return norm5->forward(h);
}

std::string DenseNetFeaturesImpl::torchscript_forward() const {
  std::string code = kTensorIn +
                     "    x = torch.relu(self.norm0.forward(self.conv0.forward(x)))\n"
                     "    x = torch.max_pool2d(x, [3, 3], [2, 2], [1, 1])\n";
  for (size_t i = 1; i <= blocks.size(); ++i) {
    code += "    x = self.denseblock" + std::to_string(i) + ".forward(x)\n";
    if (i <= transitions.size()) code += "    x = self.transition" + std::to_string(i) + ".forward(x)\n";
  }
  return code + "    return self.norm5.forward(x)\n";
}

DenseNetImpl::DenseNetImpl(int64_t growth_rate, const std::vector<int64_t>& block_layers, int64_t init_features) {
  features = register_module("features", DenseNetFeatures(growth_rate, block_layers, init_features));
}

at::Tensor DenseNetImpl::forward(const at::Tensor& images) {
  require_rgb_images(images, "densenet");
  return at::adaptive_avg_pool2d(at::relu(features->forward(images)), {1, 1}).flatten(1);  // [B, F]
}

void DenseNetImpl::reset_parameters_like_torchvision(uint64_t seed) {
  at::Generator generator = at::detail::createCPUGenerator(seed);
  init_convs_and_norms(*this, ConvInit::KaimingNormalFanIn, generator);
}

std::string DenseNetImpl::torchscript_forward() const {
  return kTensorIn + "    return torch.adaptive_avg_pool2d(torch.relu(self.features.forward(x)), [1, 1]).flatten(1)\n";
}

std::shared_ptr<ImageEncoderImpl> make_densenet(const std::string& variant) {
  if (variant == "121") return std::make_shared<DenseNetImpl>(32, std::vector<int64_t>{6, 12, 24, 16}, 64);
  if (variant == "161") return std::make_shared<DenseNetImpl>(48, std::vector<int64_t>{6, 12, 36, 24}, 96);
  if (variant == "169") return std::make_shared<DenseNetImpl>(32, std::vector<int64_t>{6, 12, 32, 32}, 64);
  if (variant == "201") return std::make_shared<DenseNetImpl>(32, std::vector<int64_t>{6, 12, 48, 32}, 64);
  fail(FDL_ERR_INVALID_ARGUMENT, "densenet model_variant must be one of 121, 161, 169, 201; got '" + variant + "'");
}

}  // namespace fdl
