// trainer.compile on the CPU: evaluation and prediction run a frozen TorchScript copy of the model
// (the export's script, torch::jit::freeze: weights folded in as constants, batch norm into the
// convolutions, then optimize_for_inference's fusions) where that is faster. The first batch times
// both (median of 3 after one warm-up each), checks the copy's logits against the eager ones, and
// the faster forward serves from then on: on a 2-core
// CPU with OpenBLAS the copy gained 1-4% (benchmarks/results/compile-cpu-*.md), elsewhere it can
// gain more. The copy is remade whenever any weights changed since it was made
// (weights_version.h), so it never answers with stale weights.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ecd/ecd_model.h"

namespace fdl {

class FrozenForward {
 public:
  FrozenForward();
  ~FrozenForward();

  // Empty when the model can be frozen; otherwise why not.
  static std::string why_not(const EcdModelImpl& model);

  // The logits per output, as model.forward(feature_tensors) gives them in evaluation mode (the
  // caller set it, and no-grad). Thread-safe: a stale copy is remade under a lock.
  std::vector<at::Tensor> forward(EcdModelImpl& model, const std::vector<at::Tensor>& feature_tensors);

  // How many copies were made (1 for a model that is not trained any more).
  int64_t builds() const;
  // The first batch's timings (milliseconds; 0 before it): the faster one serves.
  double frozen_ms() const;  // infinity: the copy's logits differed from the eager ones, never used
  double eager_ms() const;
  // The first batch's largest logit difference frozen vs eager, relative to the largest logit.
  double max_difference() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace fdl
