#include "optim/mixed_precision.h"

#include <ATen/autocast_mode.h>
#include <c10/core/GradMode.h>

namespace fdl {
namespace {

bool autocast_enabled(at::DeviceType d) { return at::autocast::is_autocast_enabled(d); }
void set_autocast(at::DeviceType d, bool on) { at::autocast::set_autocast_enabled(d, on); }
at::ScalarType autocast_dtype(at::DeviceType d) { return at::autocast::get_autocast_dtype(d); }
void set_autocast_dtype(at::DeviceType d, at::ScalarType t) { at::autocast::set_autocast_dtype(d, t); }

}  // namespace

AutocastGuard::AutocastGuard(bool enabled, at::DeviceType device_type, at::ScalarType dtype)
    : active_(enabled), device_type_(device_type), was_enabled_(false), previous_dtype_(dtype) {
  if (!active_) return;
  was_enabled_ = autocast_enabled(device_type_);
  previous_dtype_ = autocast_dtype(device_type_);
  set_autocast_dtype(device_type_, dtype);
  set_autocast(device_type_, true);
  at::autocast::increment_nesting();
}

AutocastGuard::~AutocastGuard() {
  if (!active_) return;
  // As torch.autocast's __exit__: the cast weights cached for this region are dropped on the way out.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_autocast(device_type_, was_enabled_);
  set_autocast_dtype(device_type_, previous_dtype_);
}

DynamicLossScaler::DynamicLossScaler(double initial_scale, double growth_factor, double backoff_factor,
                                     int64_t growth_interval)
    : scale_(initial_scale), growth_factor_(growth_factor), backoff_factor_(backoff_factor),
      growth_interval_(growth_interval) {}

bool DynamicLossScaler::unscale_and_check(const std::vector<at::Tensor>& params) {
  c10::NoGradGuard no_grad;
  std::vector<at::Tensor> grads;
  for (const auto& p : params) {
    if (p.grad().defined()) grads.push_back(p.grad());
  }
  bool finite = grads.empty() || unscale_and_check_finite(grads, 1.0 / scale_);
  update(finite);
  return finite;
}

void DynamicLossScaler::update(bool finite) {
  // torch.cuda.amp.GradScaler.update: back off at once on inf/NaN, grow after growth_interval clean steps.
  if (!finite) {
    scale_ *= backoff_factor_;
    clean_steps_ = 0;
    ++skipped_;
  } else if (++clean_steps_ == growth_interval_) {
    scale_ *= growth_factor_;
    clean_steps_ = 0;
  }
}

bool unscale_and_check_finite(const std::vector<at::Tensor>& grads, double inv_scale) {
  // One fused kernel (CPU and CUDA): unscale in place and record whether anything is inf or NaN.
  at::TensorOptions options = grads.front().options().dtype(at::kFloat);
  at::Tensor found_inf = at::zeros({1}, options);
  at::_amp_foreach_non_finite_check_and_unscale_(grads, found_inf, at::full({1}, inv_scale, options));
  return found_inf.item<float>() == 0.0f;
}

}  // namespace fdl
