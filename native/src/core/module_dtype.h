// Casting a module's values to a floating-point dtype the way Python's nn.Module.to(dtype) does:
// floating-point parameters and buffers only. LibTorch's C++ Module::to(dtype) casts every tensor,
// so integer buffers (swin's relative_position_index, batch norm's num_batches_tracked) would
// become floats and indexing with them would fail.
#pragma once

#include <torch/nn/module.h>

namespace fdl {

void cast_floating_values(torch::nn::Module& module, at::ScalarType dtype);

}  // namespace fdl
