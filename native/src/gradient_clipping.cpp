#include "gradient_clipping.h"

#include <c10/core/GradMode.h>

namespace fdl {
namespace {

// torch's clip_grad_norm_ coefficient: max_norm / (norm + 1e-6), applied only when below 1.
constexpr double kNormEpsilon = 1e-6;

}  // namespace

void clip_gradients(const std::vector<at::Tensor>& params, const GradientClipping& clipping) {
  c10::NoGradGuard no_grad;
  std::vector<at::Tensor> grads;
  for (const auto& p : params) {
    if (p.grad().defined()) grads.push_back(p.grad());
  }
  if (grads.empty()) return;
  if (clipping.max_global_norm > 0) {
    double total = at::stack(at::_foreach_norm(grads)).norm().item<double>();
    double scale = clipping.max_global_norm / (total + kNormEpsilon);
    if (scale < 1.0) at::_foreach_mul_(grads, scale);
  }
  if (clipping.max_norm > 0) {
    // One host transfer for all scales; each gradient keeps its direction, its norm capped.
    at::Tensor norms = at::stack(at::_foreach_norm(grads)).to(at::kDouble).cpu();
    at::Tensor scales = at::clamp_max(clipping.max_norm / (norms + kNormEpsilon), 1.0).contiguous();
    const double* data = scales.data_ptr<double>();
    std::vector<c10::Scalar> factors(data, data + grads.size());
    at::_foreach_mul_(grads, factors);
  }
  if (clipping.max_value > 0) {
    for (auto& g : grads) g.clamp_(-clipping.max_value, clipping.max_value);
  }
}

}  // namespace fdl
