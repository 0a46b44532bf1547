// Gradient clipping before the optimizer step (Ludwig's trainer.gradient_clipping), in the order
// global norm, per-tensor norm, value. A limit <= 0 turns that kind off.
#pragma once

#include <ATen/ATen.h>

#include <vector>

namespace fdl {

struct GradientClipping {
  double max_global_norm = 0;  // clipglobalnorm: torch.nn.utils.clip_grad_norm_ over all gradients
  double max_norm = 0;         // clipnorm: each gradient's own L2 norm (Keras' clipnorm)
  double max_value = 0;        // clipvalue: torch.nn.utils.clip_grad_value_
};

void clip_gradients(const std::vector<at::Tensor>& params, const GradientClipping& clipping);

}  // namespace fdl
