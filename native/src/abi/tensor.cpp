// Tensors crossing the boundary: created from host memory, copied back, converted.
#include <atomic>
#include <cstring>
#include <limits>
#include <sstream>

#include "abi/api_guard.h"
#include "abi/tensor_handle.h"

namespace fdl {

at::ScalarType to_scalar_type(int32_t dtype) {
  switch (dtype) {
    case FDL_DTYPE_FLOAT32: return at::kFloat;
    case FDL_DTYPE_FLOAT64: return at::kDouble;
    case FDL_DTYPE_INT64: return at::kLong;
    case FDL_DTYPE_BFLOAT16: return at::kBFloat16;
    case FDL_DTYPE_INT32: return at::kInt;
  }
  fail(FDL_ERR_INVALID_ARGUMENT, "unknown dtype code " + std::to_string(dtype) +
                                     " (expected FDL_DTYPE_FLOAT32, FLOAT64, INT64, BFLOAT16 or INT32)");
}

int32_t to_dtype_code(at::ScalarType type) {
  switch (type) {
    case at::kFloat: return FDL_DTYPE_FLOAT32;
    case at::kDouble: return FDL_DTYPE_FLOAT64;
    case at::kLong: return FDL_DTYPE_INT64;
    case at::kBFloat16: return FDL_DTYPE_BFLOAT16;
    case at::kInt: return FDL_DTYPE_INT32;
    default: break;
  }
  fail(FDL_ERR_UNSUPPORTED, std::string("tensor has dtype ") + c10::toString(type) + ", which has no FDL_DTYPE code");
}

at::Device to_device(int32_t device_type, int32_t device_index) {
  require(device_index >= -1, "device index must be >= -1, got " + std::to_string(device_index));
  switch (device_type) {
    case FDL_DEVICE_CPU: return at::Device(at::kCPU);
    case FDL_DEVICE_CUDA:
      if (!at::hasCUDA()) fail(FDL_ERR_UNSUPPORTED, "CUDA requested but this LibTorch build or machine has no CUDA");
      return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(device_index));
  }
  fail(FDL_ERR_INVALID_ARGUMENT, "unknown device type " + std::to_string(device_type) +
                                     " (expected FDL_DEVICE_CPU or FDL_DEVICE_CUDA)");
}

namespace {
std::atomic<bool> pinned_host_tensors{false};
}  // namespace

void set_pinned_host_tensors(bool pinned) { pinned_host_tensors = pinned; }

fdl_tensor* new_tensor_handle(at::Tensor value) {
  auto* handle = new fdl_tensor{std::move(value)};
  register_handle(handle, HandleKind::Tensor);
  return handle;
}

namespace {

size_t byte_size(const at::Tensor& t) { return static_cast<size_t>(t.numel()) * t.element_size(); }

std::vector<int64_t> checked_shape(const int64_t* shape, int32_t ndim, size_t element_size) {
  require(ndim >= 0 && ndim <= FDL_MAX_DIMS,
          "ndim must be between 0 and " + std::to_string(FDL_MAX_DIMS) + ", got " + std::to_string(ndim));
  require(ndim == 0 || shape != nullptr, "shape is NULL but ndim is " + std::to_string(ndim));
  std::vector<int64_t> sizes(shape, shape + ndim);
  // Overflow-checked byte count, so that an absurd shape is an error rather than a wrapped size.
  uint64_t bytes = element_size;
  for (int32_t i = 0; i < ndim; ++i) {
    require(sizes[i] >= 0, "shape[" + std::to_string(i) + "] is negative: " + std::to_string(sizes[i]));
    if (sizes[i] != 0 && bytes > std::numeric_limits<uint64_t>::max() / 2 / static_cast<uint64_t>(sizes[i])) {
      fail(FDL_ERR_OUT_OF_MEMORY, "tensor of shape " + shape_string(sizes) + " is too large to allocate");
    }
    bytes *= static_cast<uint64_t>(sizes[i]);
  }
  return sizes;
}

}  // namespace
}  // namespace fdl

using namespace fdl;

extern "C" {

int32_t fdl_tensor_new(int32_t dtype, const int64_t* shape, int32_t ndim, const void* data, size_t data_bytes,
                       fdl_tensor** out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    at::ScalarType type = to_scalar_type(dtype);
    auto sizes = checked_shape(shape, ndim, c10::elementSize(type));
    at::TensorOptions options = at::TensorOptions().dtype(type).pinned_memory(pinned_host_tensors.load());
    at::Tensor value = data == nullptr ? at::zeros(sizes, options) : at::empty(sizes, options);
    if (data != nullptr) {
      require(data_bytes == byte_size(value), "data holds " + std::to_string(data_bytes) + " bytes but a " +
                                                  c10::toString(type) + " tensor of shape " + shape_string(sizes) +
                                                  " needs " + std::to_string(byte_size(value)));
      std::memcpy(value.data_ptr(), data, data_bytes);
    }
    *out = new_tensor_handle(std::move(value));
  });
}

int32_t fdl_tensor_free(fdl_tensor* tensor) { return free_handle(tensor, HandleKind::Tensor); }

int32_t fdl_tensor_dtype(const fdl_tensor* tensor, int32_t* out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    *out = to_dtype_code(tensor_of(tensor, "tensor").scalar_type());
  });
}

int32_t fdl_tensor_ndim(const fdl_tensor* tensor, int32_t* out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    *out = static_cast<int32_t>(tensor_of(tensor, "tensor").dim());
  });
}

int32_t fdl_tensor_shape(const fdl_tensor* tensor, int64_t* shape, int32_t shape_cap, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    const at::Tensor& t = tensor_of(tensor, "tensor");
    require(shape_cap >= t.dim(), "shape buffer holds " + std::to_string(shape_cap) + " entries, tensor has " +
                                      std::to_string(t.dim()) + " dimensions");
    require(t.dim() == 0 || shape != nullptr, "shape buffer is NULL");
    for (int64_t i = 0; i < t.dim(); ++i) shape[i] = t.size(i);
  });
}

int32_t fdl_tensor_device(const fdl_tensor* tensor, int32_t* device_type, int32_t* device_index, char* err,
                          size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(device_type, "device_type");
    require_out(device_index, "device_index");
    at::Device device = tensor_of(tensor, "tensor").device();
    *device_type = device.is_cuda() ? FDL_DEVICE_CUDA : FDL_DEVICE_CPU;
    *device_index = device.index();
  });
}

int32_t fdl_tensor_copy_to_host(const fdl_tensor* tensor, void* dst, size_t dst_bytes, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    const at::Tensor& t = tensor_of(tensor, "tensor");
    require(dst != nullptr || byte_size(t) == 0, "destination buffer is NULL");
    require(dst_bytes == byte_size(t), "destination holds " + std::to_string(dst_bytes) + " bytes but the " +
                                           c10::toString(t.scalar_type()) + " tensor of shape " +
                                           shape_string(t.sizes()) + " has " + std::to_string(byte_size(t)));
    at::Tensor host = t.to(at::kCPU).contiguous();
    if (dst_bytes > 0) std::memcpy(dst, host.data_ptr(), dst_bytes);
  });
}

int32_t fdl_tensor_to(const fdl_tensor* tensor, int32_t dtype, int32_t device_type, int32_t device_index,
                      fdl_tensor** out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    const at::Tensor& t = tensor_of(tensor, "tensor");
    at::Tensor converted =
        t.to(to_device(device_type, device_index), to_scalar_type(dtype), /*non_blocking=*/false, /*copy=*/true);
    *out = new_tensor_handle(std::move(converted));
  });
}

}  // extern "C"
