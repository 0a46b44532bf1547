// torchvision's nn.Sequential of a CNN ("features", "classifier"): layers run in order, and the ones
// with weights keep their position as their name ("features.0.weight", "features.1.running_mean",
// "classifier.4.bias"), so checkpoints load without a mapping table. ReLU and pooling hold nothing
// and are plain functions here; dropout is a child (dropout layers in eval mode are identities) so
// a caller can switch it off alone.
#pragma once

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/dropout.h>

#include <functional>
#include <string>
#include <vector>

#include "nn/torchscript_source.h"

namespace fdl {

struct LayerStackImpl : torch::nn::Module, TorchScriptSource {
  // A child with weights at the next position (Conv2d, BatchNorm2d, Linear, a Fire block, ...).
  template <class Holder>
  Holder add(Holder module) {
    std::string name = std::to_string(next_++);
    register_module(name, module);
    steps_.push_back({[impl = module.ptr()](const at::Tensor& x) { return impl->forward(x); },
                      "    x = getattr(self, \"" + name + "\").forward(x)\n"});
    return module;
  }
  void relu();
  void max_pool(int64_t kernel, int64_t stride, int64_t padding = 0, bool ceil_mode = false);
  void dropout(double p);
  // The next position without adding a layer (torchvision's Identity left by Ludwig's cut).
  void skip() { ++next_; }

  at::Tensor forward(const at::Tensor& x);
  std::string torchscript_forward() const override;

 private:
  struct Step {
    std::function<at::Tensor(const at::Tensor&)> run;
    std::string script;  // one TorchScript line (empty: identity in evaluation mode)
  };
  std::vector<Step> steps_;
  int64_t next_ = 0;
};
TORCH_MODULE(LayerStack);

// torchvision's default initialisation of a conv / linear layer pair used by VGG and AlexNet-style
// classifiers: normal(0, 0.01) weights, zero bias.
void normal_linear_(torch::nn::Module& linear, double std, at::Generator& generator);

// A Sequential that can sit inside another (LibTorch's Sequential::forward is a template, which a
// Sequential cannot hold): torchvision nests them, stages inside "features". The export scripts it
// as a Sequential.
struct NestedSequentialImpl : torch::nn::SequentialImpl {
  using SequentialImpl::SequentialImpl;
  at::Tensor forward(const at::Tensor& x) { return SequentialImpl::forward(x); }
};
TORCH_MODULE(NestedSequential);

}  // namespace fdl
