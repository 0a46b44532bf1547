#include "sgd.h"

#include <c10/core/GradMode.h>

namespace fdl {

MultiTensorSgd::MultiTensorSgd(std::vector<at::Tensor> params, SgdOptions options, std::vector<bool> decay_mask)
    : params_(std::move(params)), decay_mask_(std::move(decay_mask)), momentum_buffer_(params_.size()),
      options_(options) {
  TORCH_CHECK(decay_mask_.size() == params_.size(), "decay mask has ", decay_mask_.size(), " entries for ",
              params_.size(), " parameters");
  TORCH_CHECK(!options_.nesterov || (options_.momentum > 0 && options_.dampening == 0),
              "Nesterov momentum needs momentum > 0 and dampening 0");
}

void MultiTensorSgd::step(double lr) {
  c10::NoGradGuard no_grad;
  update(with_gradients(params_, decay_mask_, true), lr, options_.weight_decay);
  update(with_gradients(params_, decay_mask_, false), lr, 0.0);
}

std::vector<std::pair<std::string, at::Tensor>> MultiTensorSgd::state() const {
  std::vector<std::pair<std::string, at::Tensor>> state;
  for (size_t i = 0; i < params_.size(); ++i) {
    if (momentum_buffer_[i].defined()) state.emplace_back("momentum_buffer." + std::to_string(i), momentum_buffer_[i]);
  }
  return state;
}

void MultiTensorSgd::load_state(const std::string& name, const at::Tensor& value) {
  size_t i = state_index(name, "momentum_buffer.", params_.size());
  TORCH_CHECK(value.sizes() == params_[i].sizes(), "optimizer state '", name, "' has shape ", value.sizes(),
              ", the parameter ", params_[i].sizes());
  momentum_buffer_[i] = value.to(params_[i].options()).clone();
}

void MultiTensorSgd::update(const StepGroup& group, double lr, double weight_decay) {
  if (group.params.empty()) return;
  const auto& o = options_;
  std::vector<at::Tensor> params = group.params;
  std::vector<at::Tensor> steps = weight_decay != 0 ? at::_foreach_add(group.grads, params, weight_decay)
                                                    : group.grads;
  if (o.momentum != 0) {
    std::vector<at::Tensor> buffers, running, running_steps;
    for (size_t k = 0; k < group.indices.size(); ++k) {
      at::Tensor& buffer = momentum_buffer_[group.indices[k]];
      if (buffer.defined()) {
        running.push_back(buffer);
        running_steps.push_back(steps[k]);
      } else {
        buffer = steps[k].clone().detach();  // torch: the first step's buffer is the gradient itself
      }
      buffers.push_back(buffer);
    }
    if (!running.empty()) {
      at::_foreach_mul_(running, o.momentum);
      at::_foreach_add_(running, running_steps, 1 - o.dampening);
    }
    steps = o.nesterov ? at::_foreach_add(steps, buffers, o.momentum) : buffers;
  }
  at::_foreach_add_(params, steps, -lr);
}

}  // namespace fdl
