#include "optim/sgd.h"

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
  // Allocations first (see MultiTensorAdam::step): out of memory leaves the state untouched.
  Pending decayed = prepare(with_gradients(params_, decay_mask_, true), options_.weight_decay);
  Pending plain = prepare(with_gradients(params_, decay_mask_, false), 0.0);
  apply(decayed, lr);
  apply(plain, lr);
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

MultiTensorSgd::Pending MultiTensorSgd::prepare(const StepGroup& group, double weight_decay) const {
  Pending p;
  if (group.params.empty()) return p;
  p.params = group.params;
  p.indices = group.indices;
  p.steps = weight_decay != 0 ? at::_foreach_add(group.grads, group.params, weight_decay) : group.grads;
  if (options_.momentum == 0) return p;
  for (size_t k = 0; k < p.indices.size(); ++k) {
    const at::Tensor& buffer = momentum_buffer_[p.indices[k]];
    // torch: a parameter's first buffer is its first step direction itself.
    p.buffers.push_back(buffer.defined() ? buffer : p.steps[k].clone().detach());
    if (options_.nesterov) p.directions.push_back(p.steps[k].clone());
  }
  return p;
}

void MultiTensorSgd::apply(Pending& p, double lr) {
  if (p.params.empty()) return;
  const auto& o = options_;
  if (o.momentum == 0) {
    at::_foreach_add_(p.params, p.steps, -lr);
    return;
  }
  std::vector<at::Tensor> running, running_steps;
  for (size_t k = 0; k < p.indices.size(); ++k) {
    at::Tensor& buffer = momentum_buffer_[p.indices[k]];
    if (buffer.defined()) {
      running.push_back(buffer);
      running_steps.push_back(p.steps[k]);
    } else {
      buffer = p.buffers[k];
    }
  }
  if (!running.empty()) {
    at::_foreach_mul_(running, o.momentum);
    at::_foreach_add_(running, running_steps, 1 - o.dampening);
  }
  if (o.nesterov) {
    at::_foreach_add_(p.directions, p.buffers, o.momentum);
    at::_foreach_add_(p.params, p.directions, -lr);
  } else {
    at::_foreach_add_(p.params, p.buffers, -lr);
  }
}

}  // namespace fdl
