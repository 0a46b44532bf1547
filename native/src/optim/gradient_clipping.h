// Gradient clipping before the optimizer step (Ludwig's trainer.gradient_clipping), in the order
// global norm, per-tensor norm, value. A limit <= 0 turns that kind off.
#pragma once

#include <ATen/ATen.h>

#include <vector>

#include "fidelio.h"

namespace fdl {

// The C ABI's struct (fidelio.h): max_global_norm is clipglobalnorm (torch.nn.utils.clip_grad_norm_
// over all gradients), max_norm clipnorm (each gradient's own L2 norm, Keras' clipnorm), max_value
// clipvalue (torch.nn.utils.clip_grad_value_); 0 turns a kind off.
using GradientClipping = fdl_clipping_spec;

void clip_gradients(const std::vector<at::Tensor>& params, const GradientClipping& clipping);

}  // namespace fdl
