// The fdl_ecd handle: the native ECD model and everything that trains it (optimizer, precision,
// device, data parallelism, compile), with the helpers its two C ABI files share: ecd_api.cpp builds
// the model and predicts, ecd_training_api.cpp trains it.
#pragma once

#include <ATen/ATen.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ecd/cuda_graph_step.h"
#include "distributed/data_parallel.h"
#include "ecd/ecd_model.h"
#include "ecd/frozen_forward.h"
#include "optim/gradient_clipping.h"
#include "optim/mixed_precision.h"
#include "optim/optimizer.h"
#include "abi/tensor_handle.h"

struct fdl_ecd {
  fdl::EcdModel model;
  uint64_t seed = 0;
  fdl::GradientClipping clipping;
  std::unique_ptr<fdl::Optimizer> optimizer;  // AdamW (Ludwig's default) until a set_* call replaces it
  // How the last set_* call builds the optimizer over a parameter list: data parallelism rebuilds it
  // over the parameters this rank updates (all of them for DDP, its shard for ZeRO-1).
  std::function<std::unique_ptr<fdl::Optimizer>(const std::vector<at::Tensor>&)> make_optimizer;
  int32_t precision = FDL_PRECISION_FLOAT32;
  std::unique_ptr<fdl::DynamicLossScaler> scaler;    // float16 only
  std::shared_ptr<fdl::DataParallel> data_parallel;  // null: this process trains alone
  at::Device device = at::kCPU;                       // the model's; batches move there per call
  at::Tensor learning_rate;                           // on the device, for capturable optimizer steps
  bool compile = false;                               // trainer.compile
  std::unique_ptr<fdl::CapturedTrainStep> captured;   // its CUDA graphs, when capture is possible
  std::unique_ptr<fdl::FrozenForward> frozen;         // compile on the CPU: the evaluation forward
  // The parameters that train, found once after the build: a step walks these, not a frozen encoder's
  // hundred tensors (with cached embeddings that walk cost more than the head's kernels). Moving the
  // model keeps the tensors (Module::to sets their data in place).
  std::vector<at::Tensor> trainable;
};

namespace fdl {

// The live handle (fails naming the argument otherwise); built_ecd also requires fdl_ecd_build done.
fdl_ecd* ecd_of(const fdl_ecd* handle);
fdl_ecd* built_ecd(const fdl_ecd* handle);

// The tensors of a C array of handles; what names the argument in errors ("inputs[2]").
std::vector<at::Tensor> tensors_of(const fdl_tensor* const* handles, int32_t count, const char* what);

// The parameters that require gradients (computed once, after the build).
const std::vector<at::Tensor>& trainable_parameters(fdl_ecd* e);

// The parameters this process's optimizer updates: its data-parallel share, or all trainable ones.
std::vector<at::Tensor> optimized_parameters(fdl_ecd* e);

// Why the train step cannot be captured as a CUDA graph; empty when it can.
std::string why_not_captured(fdl_ecd* e);

// Why evaluation does not run the frozen TorchScript forward (compile on the CPU); empty when it does.
std::string why_not_frozen(fdl_ecd* e);

// Captured graphs hold the tensors of the optimizer, precision and device they were made with:
// any change of those makes new ones.
void forget_graphs(fdl_ecd* e);

// tensors moved to the model's device (non-blocking: from page-locked host memory on CUDA).
std::vector<at::Tensor> on_model_device(fdl_ecd* e, std::vector<at::Tensor> tensors);

// Remembers how to build the optimizer (data parallelism rebuilds it) and builds it now.
void use_optimizer(fdl_ecd* e,
                   std::function<std::unique_ptr<Optimizer>(const std::vector<at::Tensor>&)> make_optimizer);

at::DeviceType device_of(fdl_ecd* e);
// Autocast for the ECD's precision on its device (off for float32).
AutocastGuard autocast_for(fdl_ecd* e);

}  // namespace fdl
