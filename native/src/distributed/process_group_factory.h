// Creates the collective backend of a process group: Gloo (CPU tensors) or NCCL (CUDA tensors,
// only where LibTorch was built with it: FIDELIO_WITH_NCCL).
#pragma once

#include <torch/csrc/distributed/c10d/Store.hpp>

#include "distributed/collective_backend.h"

namespace fdl {

struct ProcessGroupOptions;

c10::intrusive_ptr<CollectiveBackend> make_collective_backend(const c10::intrusive_ptr<c10d::Store>& store,
                                                              const ProcessGroupOptions& options);

// Whether this build can run NCCL process groups.
bool nccl_available();

}  // namespace fdl
