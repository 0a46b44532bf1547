#include "nn/layer_stack.h"

#include <ATen/ATen.h>
#include <torch/nn/modules/linear.h>

namespace fdl {

void LayerStackImpl::relu() {
  ++next_;
  steps_.push_back({[](const at::Tensor& x) { return at::relu(x); }, "    x = torch.relu(x)\n"});
}

void LayerStackImpl::max_pool(int64_t kernel, int64_t stride, int64_t padding, bool ceil_mode) {
  ++next_;
  steps_.push_back({[=](const at::Tensor& x) { return at::max_pool2d(x, {kernel, kernel}, {stride, stride},
                                                                     {padding, padding}, {1, 1}, ceil_mode); },
                    "    x = torch.max_pool2d(x, [" + std::to_string(kernel) + ", " + std::to_string(kernel) + "], [" +
                        std::to_string(stride) + ", " + std::to_string(stride) + "], [" + std::to_string(padding) +
                        ", " + std::to_string(padding) + "], [1, 1], " + (ceil_mode ? "True" : "False") + ")\n"});
}

void LayerStackImpl::dropout(double p) {
  auto layer = register_module(std::to_string(next_++), torch::nn::Dropout(p));
  steps_.push_back({[layer](const at::Tensor& x) { return layer->forward(x); }, ""});
}

at::Tensor LayerStackImpl::forward(const at::Tensor& input) {
  at::Tensor x = input;
  for (const auto& step : steps_) x = step.run(x);
  return x;
}

std::string LayerStackImpl::torchscript_forward() const {
  std::string code = "def forward(self, x: Tensor) -> Tensor:\n";
  for (const auto& step : steps_) code += step.script;
  return code + "    return x\n";
}

void normal_linear_(torch::nn::Module& module, double std, at::Generator& generator) {
  auto* linear = module.as<torch::nn::Linear>();
  linear->weight.copy_(at::empty(linear->weight.sizes(), linear->weight.options().device(at::kCPU))
                           .normal_(0.0, std, generator));
  linear->bias.zero_();
}

}  // namespace fdl
