#include "core/module_dtype.h"

namespace fdl {

void cast_floating_values(torch::nn::Module& module, at::ScalarType dtype) {
  at::NoGradGuard no_grad;
  for (at::Tensor& p : module.parameters()) {
    if (p.is_floating_point() && p.scalar_type() != dtype) p.set_data(p.to(dtype));
  }
  for (at::Tensor& b : module.buffers()) {
    if (b.is_floating_point() && b.scalar_type() != dtype) b.set_data(b.to(dtype));
  }
}

}  // namespace fdl
