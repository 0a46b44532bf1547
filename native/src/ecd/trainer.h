// The trainer of an ECD model: the model with everything that trains it (optimizer, clipping,
// precision and loss scaling, device, data parallelism, compile) and the one body of a train step
// that the eager and the CUDA-graph path share. The C ABI (abi/ecd_*api.cpp) only unwraps handles
// and calls it; tests can drive it without the ABI.
#pragma once

#include <ATen/ATen.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "distributed/data_parallel.h"
#include "ecd/cuda_graph_step.h"
#include "ecd/ecd_model.h"
#include "ecd/frozen_forward.h"
#include "fidelio.h"
#include "optim/gradient_clipping.h"
#include "optim/mixed_precision.h"
#include "optim/optimizer.h"

namespace fdl {

// Where a micro-batch sits in an update that accumulates gradients.
struct MicroBatch {
  double loss_scale = 1;     // its share of the update's rows, in (0, 1]
  bool begins_update = true;  // drop the previous gradients first
  bool ends_update = true;    // then reduce, clip and step the optimizer
};

class Trainer {
 public:
  using MakeOptimizer = std::function<std::unique_ptr<Optimizer>(const std::vector<at::Tensor>&)>;

  // A built model, trained by AdamW at torch's defaults until configure.
  explicit Trainer(EcdModel model);

  EcdModel& model() { return model_; }

  // Optimizer (fresh state), clipping, precision and compile; returns what compile does, and why.
  std::string configure(const fdl_train_spec& spec);

  // One micro-batch on host tensors; returns its unscaled loss. A non-finite loss fails before
  // any gradient or weight changes.
  double step(std::vector<at::Tensor> x, std::vector<at::Tensor> y, const MicroBatch& micro, double lr);

  // Evaluation mode, no autograd: each output's predictions on the host; the loss when y is not empty.
  std::vector<at::Tensor> evaluate(std::vector<at::Tensor> x, std::vector<at::Tensor> y, double* loss);

  // The frozen encoder's output for input index's raw host tensors (the embedding cache's rows).
  at::Tensor embed(int32_t index, std::vector<at::Tensor> raw);
  void set_cached_embeddings(int32_t index, bool enabled);

  void to_device(at::Device device);
  void set_data_parallel(std::shared_ptr<DataParallel> data_parallel);

  std::vector<std::pair<std::string, at::Tensor>> optimizer_state() const { return optimizer_->state(); }
  void load_optimizer_state(const std::string& name, const at::Tensor& value) { optimizer_->load_state(name, value); }
  double loss_scale() const { return scaler_ ? scaler_->scale() : 1.0; }
  int64_t skipped_steps() const { return scaler_ ? scaler_->skipped_steps() : 0; }
  fdl_compile_stats compile_stats() const;

 private:
  // The one body of an update: forward and loss under autocast, backward of the scaled loss and,
  // when the micro-batch ends the update, reduce, unscale, clip and the optimizer step. Eager, the
  // loss is read into host_loss before backward; captured (host_loss null) nothing is read on the
  // host: a non-finite loss skips the update on the device instead.
  at::Tensor run_body(const std::vector<at::Tensor>& x, const std::vector<at::Tensor>& y, const MicroBatch& micro,
                      double* host_loss);
  void update(const at::Tensor& skip_if_nonzero);
  void add_l1_gradient();
  void clip();
  double captured_step(std::vector<at::Tensor> x, std::vector<at::Tensor> y, double lr);
  void use_optimizer(MakeOptimizer make);
  std::vector<at::Tensor> unfrozen(const char* layers_to_freeze_regex) const;
  std::vector<at::Tensor> optimized_parameters() const;
  std::vector<at::Tensor> on_device(std::vector<at::Tensor> tensors) const;
  void zero_gradients();
  AutocastGuard autocast() const;
  std::string why_not_captured() const;
  std::string why_not_frozen() const;
  std::string compile_report() const;
  void forget_graphs();
  std::shared_ptr<CacheableInput> cacheable_input(int32_t index) const;

  EcdModel model_;
  // The parameters that train, found once: a step walks these, not a frozen encoder's hundred
  // tensors (with cached embeddings that walk cost more than the head's kernels). Moving the model
  // keeps the tensors (Module::to sets their data in place).
  std::vector<at::Tensor> trainable_;
  // The parameters the model was built to train, by state name: layers_to_freeze_regex picks from
  // these each configure, so a later spec can also unfreeze what an earlier one froze.
  std::vector<std::pair<std::string, at::Tensor>> buildable_;
  GradientClipping clipping_{};
  double l1_ = 0;  // the spec's l1_regularization: lambda of the sign term added to each gradient
  std::unique_ptr<Optimizer> optimizer_;
  // How the optimizer is built over a parameter list: data parallelism rebuilds it over the
  // parameters this rank updates (all of them for DDP, its shard for ZeRO-1).
  MakeOptimizer make_optimizer_;
  fdl_precision precision_ = FDL_PRECISION_FLOAT32;
  std::unique_ptr<DynamicLossScaler> scaler_;    // float16 only
  std::shared_ptr<DataParallel> data_parallel_;  // null: this process trains alone
  at::Device device_ = at::kCPU;                  // the model's; batches move there per call
  double lr_ = 0;                                 // this step's learning rate
  at::Tensor learning_rate_;                      // lr_ on the device, for capturable optimizer steps
  bool compile_ = false;
  bool gradient_checkpointing_ = false;
  std::unique_ptr<CapturedTrainStep> captured_;  // its CUDA graphs, when capture is possible
  std::unique_ptr<FrozenForward> frozen_;        // compile on the CPU: the evaluation forward
};

// The optimizer a spec describes, as a builder over a parameter list (checked now, built later).
Trainer::MakeOptimizer optimizer_of(const fdl_optimizer_spec& spec);

}  // namespace fdl
