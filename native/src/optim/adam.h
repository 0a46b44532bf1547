// Adam and AdamW as one update over all parameters, the same as torch.optim.Adam / AdamW: torch's
// fused kernel (fused=True) on the CPU and, capturable, on CUDA; the multi-tensor update
// (torch._foreach_* kernels, foreach=True) otherwise. Bias-corrected moments; weight decay either
// decoupled (AdamW: p -= lr * wd * p) or as L2 added to the gradient (Adam).
#pragma once

#include "optim/optimizer.h"

namespace fdl {

struct AdamOptions {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.01;
  bool decoupled = true;  // AdamW; false: Adam with L2 weight decay
};

class MultiTensorAdam : public Optimizer {
 public:
  // decay_mask[i]: whether weight decay applies to params[i] (see weight_decay_mask)
  MultiTensorAdam(std::vector<at::Tensor> params, AdamOptions options, std::vector<bool> decay_mask);
  MultiTensorAdam(std::vector<at::Tensor> params, AdamOptions options);

  // On the CPU: torch's fused kernel; elsewhere the multi-tensor update.
  void step(double lr) override;
  // On CUDA: torch's fused kernel (_fused_adamw_ / _fused_adam_), per-parameter step counts on the
  // device, the learning rate a device tensor; capturable by a CUDA graph.
  bool capturable() const override;
  void step(const at::Tensor& lr, const at::Tensor& skip) override;
  void count_replayed_step() override { ++step_count_; }
  std::vector<std::pair<std::string, at::Tensor>> state() const override;
  void load_state(const std::string& name, const at::Tensor& value) override;

  AdamOptions& options() { return options_; }
  int64_t step_count() const { return step_count_; }

 private:
  // One group's tensors for a step, every temporary already allocated.
  struct Pending {
    std::vector<at::Tensor> params, grads, avg, avg_sq, denom;
  };
  Pending prepare(const StepGroup& group, double weight_decay) const;
  template <class LearningRate>
  void fused_step(const LearningRate& lr, const at::Tensor& skip);
  void apply(Pending& pending, double lr, double weight_decay);

  std::vector<at::Tensor> params_;
  std::vector<bool> decay_mask_;
  std::vector<at::Tensor> exp_avg_;
  std::vector<at::Tensor> exp_avg_sq_;
  AdamOptions options_;
  int64_t step_count_ = 0;
  std::vector<at::Tensor> device_steps_;  // the fused kernel's step counts, made by its first step
};

}  // namespace fdl
