#include "optim/gradient_clipping.h"

#include <c10/core/GradMode.h>

namespace fdl {
namespace {

// torch's clip_grad_norm_ coefficient: max_norm / (norm + 1e-6), applied only when below 1.
constexpr double kNormEpsilon = 1e-6;

// grads[i] *= factors[i] (0-dim or [N] tensors on the gradients' device): no value goes to the host,
// so a CUDA graph can capture clipping and the device never waits for the host.
void scale_each(std::vector<at::Tensor>& grads, const at::Tensor& factors) {
  for (size_t i = 0; i < grads.size(); ++i) {
    grads[i].mul_(factors.dim() == 0 ? factors : factors[static_cast<int64_t>(i)]);
  }
}

}  // namespace

void clip_gradients(const std::vector<at::Tensor>& params, const GradientClipping& clipping) {
  c10::NoGradGuard no_grad;
  std::vector<at::Tensor> grads;
  for (const auto& p : params) {
    if (p.grad().defined()) grads.push_back(p.grad());
  }
  if (grads.empty()) return;
  if (clipping.max_global_norm > 0) {
    at::Tensor total = at::stack(at::_foreach_norm(grads)).norm();
    scale_each(grads, at::clamp_max(clipping.max_global_norm / (total + kNormEpsilon), 1.0));
  }
  if (clipping.max_norm > 0) {
    // Each gradient keeps its direction, its norm capped.
    at::Tensor norms = at::stack(at::_foreach_norm(grads));
    scale_each(grads, at::clamp_max(clipping.max_norm / (norms + kNormEpsilon), 1.0));
  }
  if (clipping.max_value > 0) {
    for (auto& g : grads) g.clamp_(-clipping.max_value, clipping.max_value);
  }
}

}  // namespace fdl
