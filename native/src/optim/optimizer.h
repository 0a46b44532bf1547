// The optimizers of the native train step. Each applies one multi-tensor update (torch._foreach_*
// kernels) over all parameters that have a gradient, at the learning rate the caller passes.
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <utility>
#include <vector>

namespace fdl {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual void step(double lr) = 0;
  // A step that reads nothing from the device on the host (lr: a 0-dim float tensor on the
  // parameters' device), so a CUDA graph can capture it: only where capturable() says so. skip
  // (undefined, or a [1] float tensor): when nonzero, on the device, the step leaves everything as it was.
  virtual bool capturable() const { return false; }
  virtual void step(const at::Tensor& lr, const at::Tensor& skip) {
    TORCH_CHECK(false, "this optimizer has no capturable step");
  }
  // A captured step was replayed: host-side counters advance as if step had run.
  virtual void count_replayed_step() {}
  // Everything a resumed run needs, named ("step", "exp_avg.3", "momentum_buffer.0", ...): the
  // live tensors, in a fixed order. load_state sets one entry, as state() named it.
  virtual std::vector<std::pair<std::string, at::Tensor>> state() const = 0;
  virtual void load_state(const std::string& name, const at::Tensor& value) = 0;
};

// "exp_avg.3" with prefix "exp_avg." and count 5 -> 3; fails naming the entry otherwise.
size_t state_index(const std::string& name, const std::string& prefix, size_t count);

// Which parameters weight decay applies to: all, or only those with two or more dimensions (the
// usual exclusion of biases and norm scales, which are one-dimensional).
std::vector<bool> weight_decay_mask(const std::vector<at::Tensor>& params, bool exclude_bias_and_norm);

// The parameters (and matching state tensors) that have a gradient this step, split by decay mask.
struct StepGroup {
  std::vector<at::Tensor> params, grads;
  std::vector<size_t> indices;  // into the optimizer's parameter list
};
StepGroup with_gradients(const std::vector<at::Tensor>& params, const std::vector<bool>& mask, bool decayed);

}  // namespace fdl
