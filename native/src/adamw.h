// AdamW as one multi-tensor update over all parameters (torch._foreach_* kernels), numerically
// the same as torch.optim.AdamW(foreach=True): decoupled weight decay, bias-corrected moments.
#pragma once

#include <ATen/ATen.h>

#include <vector>

namespace fdl {

struct AdamWOptions {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.01;
};

class MultiTensorAdamW {
 public:
  MultiTensorAdamW(std::vector<at::Tensor> params, AdamWOptions options);

  // Applies one update with learning rate lr to every parameter that has a gradient.
  void step(double lr);

  AdamWOptions& options() { return options_; }
  int64_t step_count() const { return step_count_; }

 private:
  std::vector<at::Tensor> params_;
  std::vector<at::Tensor> exp_avg_;
  std::vector<at::Tensor> exp_avg_sq_;
  AdamWOptions options_;
  int64_t step_count_ = 0;
};

}  // namespace fdl
