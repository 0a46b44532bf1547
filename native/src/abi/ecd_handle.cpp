#include "abi/ecd_handle.h"

#include "abi/api_guard.h"

namespace fdl {

const std::vector<at::Tensor>& trainable_parameters(fdl_ecd* e) {
  if (e->trainable.empty()) {
    for (const auto& p : e->model->parameters()) {
      if (p.requires_grad()) e->trainable.push_back(p);
    }
  }
  return e->trainable;
}

fdl_ecd* ecd_of(const fdl_ecd* handle) {
  check_handle(handle, HandleKind::Ecd, "ecd");
  return const_cast<fdl_ecd*>(handle);
}

fdl_ecd* built_ecd(const fdl_ecd* handle) {
  fdl_ecd* e = ecd_of(handle);
  require(e->model->built(), "the model is not built yet: call fdl_ecd_build after adding features");
  return e;
}

std::vector<at::Tensor> tensors_of(const fdl_tensor* const* handles, int32_t count, const char* what) {
  require(count >= 0 && (count == 0 || handles != nullptr), std::string(what) + " array is NULL");
  std::vector<at::Tensor> tensors;
  for (int32_t i = 0; i < count; ++i) {
    std::string argument = std::string(what) + "[" + std::to_string(i) + "]";
    tensors.push_back(tensor_of(handles[i], argument.c_str()));
  }
  return tensors;
}

// The parameters this process's optimizer updates: its data-parallel share, or all trainable ones.
std::vector<at::Tensor> optimized_parameters(fdl_ecd* e) {
  return e->data_parallel ? e->data_parallel->updated_parameters() : trainable_parameters(e);
}

// Why the train step cannot be captured as a CUDA graph; empty when it can.
std::string why_not_captured(fdl_ecd* e) {
  if (!e->device.is_cuda()) return "the model is on the CPU; CUDA graphs need a CUDA device";
  if (e->scaler) return "float16 loss scaling decides on the host whether to step; use bfloat16 to capture";
  if (e->data_parallel) return "data-parallel steps exchange gradients between processes";
  if (!e->optimizer->capturable()) return "the optimizer has no capturable step (adam/adamw with LibTorch >= 2.4 has)";
  return "";
}

// Why evaluation does not run the frozen TorchScript forward (compile on the CPU); empty when it does.
std::string why_not_frozen(fdl_ecd* e) {
  if (e->device.is_cuda()) return "on CUDA the train step is captured instead";
  if (e->precision != FDL_PRECISION_FLOAT32) return "mixed precision autocast does not apply inside TorchScript";
  return FrozenForward::why_not(*e->model);
}

// Captured graphs hold the tensors of the optimizer, precision and device they were made with:
// any change of those makes new ones.
void forget_graphs(fdl_ecd* e) {
  e->captured.reset();
  if (!e->compile || !why_not_captured(e).empty()) return;
  try {
    e->captured = std::make_unique<CapturedTrainStep>();
  } catch (const Failure&) {
    // No CUDA graphs in this LibTorch: the step stays eager (fdl_ecd_set_compile reported why).
  }
}

std::vector<at::Tensor> on_model_device(fdl_ecd* e, std::vector<at::Tensor> tensors) {
  for (auto& t : tensors) {
    if (t.device() != e->device) t = t.to(e->device, /*non_blocking=*/true);
  }
  return tensors;
}

// Remembers how to build the optimizer (data parallelism rebuilds it) and builds it now.
void use_optimizer(fdl_ecd* e,
                   std::function<std::unique_ptr<Optimizer>(const std::vector<at::Tensor>&)> make_optimizer) {
  e->make_optimizer = std::move(make_optimizer);
  e->optimizer = e->make_optimizer(optimized_parameters(e));
  forget_graphs(e);
}

at::DeviceType device_of(fdl_ecd* e) { return e->device.type(); }

// Autocast for the ECD's precision on its device (off for float32).
AutocastGuard autocast_for(fdl_ecd* e) {
  return AutocastGuard(e->precision != FDL_PRECISION_FLOAT32, device_of(e),
                       e->precision == FDL_PRECISION_FLOAT16 ? at::kHalf : at::kBFloat16);
}

}  // namespace fdl
