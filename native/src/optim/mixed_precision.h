// Mixed precision for the train step (trainer.use_mixed_precision): autocast around forward and
// loss (bf16 on CPU; fp16 or bf16 on CUDA), and for fp16 on CUDA dynamic loss scaling like
// torch.cuda.amp.GradScaler: the loss is multiplied by a scale, gradients are unscaled and checked
// for inf/NaN, a step with non-finite gradients is skipped (and counted) and the scale halves;
// after growth_interval clean steps it doubles.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace fdl {

// Autocast on for device_type at dtype while alive; restores the previous state on exit.
class AutocastGuard {
 public:
  AutocastGuard(bool enabled, at::DeviceType device_type, at::ScalarType dtype);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool active_;
  at::DeviceType device_type_;
  bool was_enabled_;
  at::ScalarType previous_dtype_;
};

class DynamicLossScaler {
 public:
  explicit DynamicLossScaler(double initial_scale = 65536.0, double growth_factor = 2.0, double backoff_factor = 0.5,
                             int64_t growth_interval = 2000);

  double scale() const { return scale_; }
  int64_t skipped_steps() const { return skipped_; }

  // Divides every gradient by the scale; false (and the scale backs off) when any is inf or NaN,
  // in which case the caller skips the optimizer step.
  bool unscale_and_check(const std::vector<at::Tensor>& params);

  // The scale after a step whose gradients were (not) finite.
  void update(bool finite);

 private:
  double scale_, growth_factor_, backoff_factor_;
  int64_t growth_interval_;
  int64_t clean_steps_ = 0;
  int64_t skipped_ = 0;
};

// Multiplies grads by inv_scale in place; false when any element is inf or NaN.
bool unscale_and_check_finite(const std::vector<at::Tensor>& grads, double inv_scale);

}  // namespace fdl
