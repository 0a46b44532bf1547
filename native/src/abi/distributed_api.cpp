// C ABI of data-parallel training: process groups (rendezvous, collectives on host arrays and
// module state) and the gradient synchronisation an ECD model runs inside its train step.
#include <torch/nn/module.h>

#include <cmath>

#include "abi/api_guard.h"
#include "abi/distributed_handles.h"
#include "distributed/process_group_factory.h"
#include "abi/handles.h"

namespace fdl {
namespace {

ProcessGroup& group_of(const fdl_process_group* handle) {
  check_handle(handle, HandleKind::ProcessGroup, "group");
  return *handle->group;
}

DataParallel& sync_of(const fdl_data_parallel* handle) {
  check_handle(handle, HandleKind::DataParallel, "data_parallel");
  return *handle->sync;
}

at::Tensor host_doubles(double* values, int32_t count) {
  require(count > 0 && values != nullptr, "values must hold at least one number");
  return at::from_blob(values, {count}, at::kDouble);
}

std::vector<at::Tensor> module_state(torch::nn::Module& module) {
  std::vector<at::Tensor> state;
  for (const auto& p : module.parameters()) state.push_back(p);
  for (const auto& b : module.buffers()) state.push_back(b);
  return state;
}

}  // namespace
}  // namespace fdl

using namespace fdl;

extern "C" {

int32_t fdl_process_group_new(const char* master_addr, int32_t master_port, int32_t rank, int32_t world_size,
                              int32_t backend, int64_t timeout_ms, fdl_process_group** out, char* err,
                              size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    require(master_addr != nullptr, "master_addr is NULL");
    require(backend == FDL_DIST_BACKEND_GLOO || backend == FDL_DIST_BACKEND_NCCL,
            "unknown backend code " + std::to_string(backend));
    require(timeout_ms > 0, "timeout must be positive, got " + std::to_string(timeout_ms) + " ms");
    ProcessGroupOptions options{master_addr, master_port, rank, world_size, backend == FDL_DIST_BACKEND_NCCL,
                                std::chrono::milliseconds(timeout_ms)};
    auto handle = std::make_unique<fdl_process_group>(fdl_process_group{std::make_shared<ProcessGroup>(options)});
    register_handle(handle.get(), HandleKind::ProcessGroup);
    *out = handle.release();
  });
}

int32_t fdl_process_group_free(fdl_process_group* group) { return free_handle(group, HandleKind::ProcessGroup); }

int32_t fdl_process_group_nccl_available(int32_t* out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    *out = nccl_available() ? 1 : 0;
  });
}

int32_t fdl_process_group_barrier(fdl_process_group* group, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] { group_of(group).barrier(); });
}

int32_t fdl_process_group_all_reduce_sum(fdl_process_group* group, double* values, int32_t count, char* err,
                                         size_t err_cap) {
  return guarded(err, err_cap, [&] {
    std::vector<at::Tensor> tensors{host_doubles(values, count)};
    group_of(group).all_reduce_sum(tensors);
  });
}

int32_t fdl_process_group_broadcast(fdl_process_group* group, double* values, int32_t count, int32_t root, char* err,
                                    size_t err_cap) {
  return guarded(err, err_cap, [&] {
    ProcessGroup& g = group_of(group);
    require(root >= 0 && root < g.world_size(), "root rank " + std::to_string(root) + " out of range");
    broadcast_tensors(g, {host_doubles(values, count)}, root);
  });
}

int32_t fdl_process_group_broadcast_module(fdl_process_group* group, void* module, int32_t root, char* err,
                                           size_t err_cap) {
  return guarded(err, err_cap, [&] {
    ProcessGroup& g = group_of(group);
    require(root >= 0 && root < g.world_size(), "root rank " + std::to_string(root) + " out of range");
    broadcast_tensors(g, module_state(module_of_handle(module, "module")), root);
  });
}

int32_t fdl_data_parallel_new(fdl_process_group* group, const void* module, int32_t strategy, int64_t bucket_bytes,
                              fdl_data_parallel** out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    group_of(group);
    require(strategy == FDL_STRATEGY_DDP || strategy == FDL_STRATEGY_ZERO1,
            "unknown strategy code " + std::to_string(strategy));
    std::vector<at::Tensor> trainable;
    for (const auto& p : module_of_handle(module, "module").parameters()) {
      if (p.requires_grad()) trainable.push_back(p);
    }
    auto sync = std::make_shared<DataParallel>(group->group, trainable, static_cast<Strategy>(strategy), bucket_bytes);
    auto handle = std::make_unique<fdl_data_parallel>(fdl_data_parallel{sync});
    register_handle(handle.get(), HandleKind::DataParallel);
    *out = handle.release();
  });
}

int32_t fdl_data_parallel_free(fdl_data_parallel* data_parallel) {
  return free_handle(data_parallel, HandleKind::DataParallel);
}

int32_t fdl_data_parallel_set_share(fdl_data_parallel* data_parallel, double share, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] { sync_of(data_parallel).set_share(share); });
}

int32_t fdl_data_parallel_parameter_bytes(const fdl_data_parallel* data_parallel, int64_t* updated_bytes,
                                          int64_t* total_bytes, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(updated_bytes, "updated_bytes");
    require_out(total_bytes, "total_bytes");
    *updated_bytes = sync_of(data_parallel).updated_bytes();
    *total_bytes = sync_of(data_parallel).total_bytes();
  });
}

}  // extern "C"
