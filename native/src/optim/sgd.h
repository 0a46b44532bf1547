// SGD with momentum, dampening, Nesterov and L2 weight decay as one multi-tensor update,
// numerically the same as torch.optim.SGD: the momentum buffer starts as the first gradient.
#pragma once

#include "optim/optimizer.h"

namespace fdl {

struct SgdOptions {
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;
  bool nesterov = false;
};

class MultiTensorSgd : public Optimizer {
 public:
  MultiTensorSgd(std::vector<at::Tensor> params, SgdOptions options, std::vector<bool> decay_mask);

  void step(double lr) override;
  std::vector<std::pair<std::string, at::Tensor>> state() const override;
  void load_state(const std::string& name, const at::Tensor& value) override;

 private:
  // One group's tensors for a step, every temporary (and every first momentum buffer) allocated.
  struct Pending {
    std::vector<at::Tensor> params, steps, buffers, directions;
    std::vector<size_t> indices;
  };
  Pending prepare(const StepGroup& group, double weight_decay) const;
  void apply(Pending& pending, double lr);

  std::vector<at::Tensor> params_;
  std::vector<bool> decay_mask_;
  std::vector<at::Tensor> momentum_buffer_;  // undefined until a parameter's first step
  SgdOptions options_;
};

}  // namespace fdl
