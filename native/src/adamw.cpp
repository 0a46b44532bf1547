#include "adamw.h"

#include <c10/core/GradMode.h>

#include <cmath>

namespace fdl {

MultiTensorAdamW::MultiTensorAdamW(std::vector<at::Tensor> params, AdamWOptions options)
    : params_(std::move(params)), options_(options) {
  for (const auto& p : params_) {
    exp_avg_.push_back(at::zeros_like(p));
    exp_avg_sq_.push_back(at::zeros_like(p));
  }
}

void MultiTensorAdamW::step(double lr) {
  c10::NoGradGuard no_grad;
  std::vector<at::Tensor> params, grads, avg, avg_sq;
  for (size_t i = 0; i < params_.size(); ++i) {
    const at::Tensor& grad = params_[i].grad();
    if (!grad.defined()) continue;
    params.push_back(params_[i]);
    grads.push_back(grad);
    avg.push_back(exp_avg_[i]);
    avg_sq.push_back(exp_avg_sq_[i]);
  }
  if (params.empty()) return;
  ++step_count_;
  const auto& o = options_;

  if (o.weight_decay != 0) at::_foreach_mul_(params, 1.0 - lr * o.weight_decay);
  at::_foreach_mul_(avg, o.beta1);
  at::_foreach_add_(avg, grads, 1.0 - o.beta1);
  at::_foreach_mul_(avg_sq, o.beta2);
  at::_foreach_addcmul_(avg_sq, grads, grads, 1.0 - o.beta2);

  double bias_correction1 = 1.0 - std::pow(o.beta1, static_cast<double>(step_count_));
  double bias_correction2 = 1.0 - std::pow(o.beta2, static_cast<double>(step_count_));
  auto denom = at::_foreach_sqrt(avg_sq);
  at::_foreach_div_(denom, std::sqrt(bias_correction2));
  at::_foreach_add_(denom, o.eps);
  at::_foreach_addcdiv_(params, avg, denom, -lr / bias_correction1);
}

}  // namespace fdl
