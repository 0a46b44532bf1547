// SGD with momentum, dampening, Nesterov and L2 weight decay as one multi-tensor update,
// numerically the same as torch.optim.SGD: the momentum buffer starts as the first gradient.
#pragma once

#include "optimizer.h"

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
  void update(const StepGroup& group, double lr, double weight_decay);

  std::vector<at::Tensor> params_;
  std::vector<bool> decay_mask_;
  std::vector<at::Tensor> momentum_buffer_;  // undefined until a parameter's first step
  SgdOptions options_;
};

}  // namespace fdl
