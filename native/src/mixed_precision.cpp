#include "mixed_precision.h"

#include <ATen/autocast_mode.h>
#include <c10/core/GradMode.h>
#include <torch/version.h>

namespace fdl {
namespace {

// LibTorch 2.4 replaced the per-device autocast setters with ones taking the device type.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool autocast_enabled(at::DeviceType d) { return at::autocast::is_autocast_enabled(d); }
void set_autocast(at::DeviceType d, bool on) { at::autocast::set_autocast_enabled(d, on); }
at::ScalarType autocast_dtype(at::DeviceType d) { return at::autocast::get_autocast_dtype(d); }
void set_autocast_dtype(at::DeviceType d, at::ScalarType t) { at::autocast::set_autocast_dtype(d, t); }
#else
bool autocast_enabled(at::DeviceType d) {
  return d == at::kCPU ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled();
}
void set_autocast(at::DeviceType d, bool on) {
  if (d == at::kCPU) {
    at::autocast::set_cpu_enabled(on);
  } else {
    at::autocast::set_enabled(on);
  }
}
at::ScalarType autocast_dtype(at::DeviceType d) {
  return d == at::kCPU ? at::autocast::get_autocast_cpu_dtype() : at::autocast::get_autocast_gpu_dtype();
}
void set_autocast_dtype(at::DeviceType d, at::ScalarType t) {
  if (d == at::kCPU) {
    at::autocast::set_autocast_cpu_dtype(t);
  } else {
    at::autocast::set_autocast_gpu_dtype(t);
  }
}
#endif

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
  if (grads.empty()) return true;
  at::TensorOptions options = grads.front().options().dtype(at::kFloat);
  at::Tensor found_inf = at::zeros({1}, options);
  at::Tensor inv_scale = at::full({1}, 1.0 / scale_, options);
  // One fused kernel on CUDA: unscale in place and record whether anything is inf or NaN.
  at::_amp_foreach_non_finite_check_and_unscale_(grads, found_inf, inv_scale);
  at::Tensor scale = at::full({1}, scale_, options);
  at::Tensor growth_tracker = at::full({1}, clean_steps_, options.dtype(at::kInt));
  at::_amp_update_scale_(scale, growth_tracker, found_inf, growth_factor_, backoff_factor_, growth_interval_);
  bool finite = found_inf.item<float>() == 0.0f;
  scale_ = scale.item<double>();
  clean_steps_ = growth_tracker.item<int32_t>();
  if (!finite) ++skipped_;
  return finite;
}

}  // namespace fdl
