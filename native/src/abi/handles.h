// Live-handle registry: every handle given to Java is registered with its kind, and every
// handle coming back is checked against it first. A freed, foreign, or wrong-kind pointer is
// then a clear FDL_ERR_INVALID_HANDLE instead of a use-after-free.
#pragma once

#include <cstdint>
#include <string>

#include "fidelio.h"

namespace torch {
namespace nn {
class Module;
}
}  // namespace torch

namespace fdl {

enum class HandleKind { Tensor, Mlp, TextEncoder, Ecd, ImageEncoder, ProcessGroup, DataParallel };

const char* handle_kind_name(HandleKind kind);

// module: for model handles, the module whose state fdl_module_* functions reach; it must live
// as long as the handle.
void register_handle(const void* handle, HandleKind kind, torch::nn::Module* module = nullptr);

// The module of a live model handle of any kind; throws FDL_ERR_INVALID_HANDLE otherwise.
torch::nn::Module& module_of_handle(const void* handle, const char* argument);

// Throws FDL_ERR_INVALID_HANDLE unless handle is live and of the expected kind.
void check_handle(const void* handle, HandleKind expected, const char* argument);

// Removes a live handle of the expected kind; false when it was not live (double free, foreign).
bool unregister_handle(const void* handle, HandleKind expected);

// The body of every fdl_<object>_free: FDL_ERR_INVALID_HANDLE for a handle that is not live
// (double free, foreign pointer, wrong kind), else delete it. Never throws.
template <class T>
int32_t free_handle(T* handle, HandleKind kind) noexcept {
  try {
    if (!unregister_handle(handle, kind)) return FDL_ERR_INVALID_HANDLE;
    delete handle;
    return FDL_OK;
  } catch (...) {
    return FDL_ERR_INTERNAL;
  }
}

template <class T>
T* checked(T* handle, HandleKind expected, const char* argument) {
  check_handle(handle, expected, argument);
  return handle;
}

}  // namespace fdl
