// MultiTensorAdamW against LibTorch's own torch::optim::AdamW on the same parameters and grads.
#include <torch/optim/adamw.h>
#include <ATen/Context.h>

#include "adamw.h"
#include "check.h"

int main() {
  at::manual_seed(0);
  std::vector<at::Tensor> ours, reference;
  for (auto shape : {std::vector<int64_t>{7, 5}, {5}, {3, 2, 4}}) {
    at::Tensor init = at::randn(shape, at::kDouble);
    ours.push_back(init.clone().requires_grad_(true));
    reference.push_back(init.clone().requires_grad_(true));
  }
  fdl::AdamWOptions options{0.85, 0.99, 1e-6, 0.05};
  fdl::MultiTensorAdamW adamw(ours, options);
  torch::optim::AdamW torch_adamw(
      reference, torch::optim::AdamWOptions(1e-2).betas({0.85, 0.99}).eps(1e-6).weight_decay(0.05));
  for (int step = 0; step < 10; ++step) {
    for (size_t i = 0; i < ours.size(); ++i) {
      at::Tensor grad = at::randn(ours[i].sizes(), at::kDouble);
      ours[i].mutable_grad() = grad.clone();
      reference[i].mutable_grad() = grad.clone();
    }
    double lr = 1e-2 * (step + 1) / 10.0;
    adamw.step(lr);
    static_cast<torch::optim::AdamWOptions&>(torch_adamw.param_groups()[0].options()).lr(lr);
    torch_adamw.step();
  }
  for (size_t i = 0; i < ours.size(); ++i) {
    double diff = (ours[i] - reference[i]).abs().max().item<double>();
    EXPECT(diff < 1e-12, "parameter %zu differs from torch::optim::AdamW by %g", i, diff);
  }
  EXPECT_REPORT();
}
