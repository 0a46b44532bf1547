// Checks of tensor arguments shared by the modules and the C ABI, with messages that show shapes.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <string>

namespace fdl {

// "[2, 3]"
std::string shape_string(at::IntArrayRef sizes);

// Fails unless every id lies in [0, n), naming what the ids are. Reads the values: call it on host
// tensors (see InputEncoder::check_values).
void require_ids_in_range(const at::Tensor& ids, int64_t n, const char* what);

}  // namespace fdl
