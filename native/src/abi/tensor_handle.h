// The fdl_tensor handle and the conversions between C-ABI codes and ATen types.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <string>

#include "abi/handles.h"
#include "core/tensor_checks.h"

struct fdl_tensor {
  at::Tensor value;
};

namespace fdl {

at::ScalarType to_scalar_type(int32_t dtype);
int32_t to_dtype_code(at::ScalarType type);
at::Device to_device(int32_t device_type, int32_t device_index);

// Whether fdl_tensor_new allocates page-locked host memory, so copies to a CUDA model overlap with
// the host's work (fdl_ecd_to_device turns it on).
void set_pinned_host_tensors(bool pinned);

// Registers a new handle owning value; the caller passes it to Java.
fdl_tensor* new_tensor_handle(at::Tensor value);

inline const at::Tensor& tensor_of(const fdl_tensor* handle, const char* argument) {
  check_handle(handle, HandleKind::Tensor, argument);
  return handle->value;
}

}  // namespace fdl
