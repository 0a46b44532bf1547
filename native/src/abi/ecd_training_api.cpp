// C ABI of the ECD model, training: the train spec (optimizer, clipping, precision, compile), one
// train step per (micro-)batch, the optimizer's state, the model's device and data parallelism.
// Each function unwraps its arguments and calls the trainer (ecd/trainer.h).
#include "abi/api_guard.h"
#include "abi/distributed_handles.h"
#include "abi/ecd_handle.h"

using namespace fdl;

namespace {

std::pair<std::string, at::Tensor> optimizer_state_at(const fdl_ecd* ecd, int32_t index) {
  auto state = trainer_of(ecd).optimizer_state();
  require(index >= 0 && index < static_cast<int32_t>(state.size()),
          "optimizer state index " + std::to_string(index) + " out of range [0, " + std::to_string(state.size()) + ")");
  return state[index];
}

}  // namespace

extern "C" {

int32_t fdl_ecd_configure(fdl_ecd* ecd, const fdl_train_spec* spec, char* report, size_t report_cap, char* err,
                          size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require(spec != nullptr, "spec is NULL");
    require(report != nullptr && report_cap > 0, "report buffer is NULL");
    write_message(report, report_cap, trainer_of(ecd).configure(*spec));
  });
}

int32_t fdl_ecd_optimizer_state_count(const fdl_ecd* ecd, int32_t* out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    *out = static_cast<int32_t>(trainer_of(ecd).optimizer_state().size());
  });
}

int32_t fdl_ecd_optimizer_state_name(const fdl_ecd* ecd, int32_t index, char* name, size_t name_cap, char* err,
                                     size_t err_cap) {
  return guarded(err, err_cap, [&] {
    std::string key = optimizer_state_at(ecd, index).first;
    require(name != nullptr && key.size() < name_cap, "name buffer too small for '" + key + "'");
    write_message(name, name_cap, key);
  });
}

int32_t fdl_ecd_optimizer_state_get(const fdl_ecd* ecd, int32_t index, fdl_tensor** out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    *out = new_tensor_handle(optimizer_state_at(ecd, index).second.detach().clone());
  });
}

int32_t fdl_ecd_optimizer_state_set(fdl_ecd* ecd, const char* name, const fdl_tensor* value, char* err,
                                    size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require(name != nullptr, "name is NULL");
    trainer_of(ecd).load_optimizer_state(name, tensor_of(value, "value"));
  });
}

int32_t fdl_ecd_loss_scale(const fdl_ecd* ecd, double* scale, int64_t* skipped_steps, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(scale, "scale");
    require_out(skipped_steps, "skipped_steps");
    *scale = trainer_of(ecd).loss_scale();
    *skipped_steps = trainer_of(ecd).skipped_steps();
  });
}

int32_t fdl_ecd_train_step(fdl_ecd* ecd, const fdl_tensor* const* inputs, int32_t n_inputs,
                           const fdl_tensor* const* targets, int32_t n_targets, double loss_scale,
                           int32_t begins_update, int32_t ends_update, double learning_rate, double* loss_out,
                           char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(loss_out, "loss_out");
    MicroBatch micro{loss_scale, begins_update != 0, ends_update != 0};
    *loss_out = trainer_of(ecd).step(tensors_of(inputs, n_inputs, "inputs"), tensors_of(targets, n_targets, "targets"),
                                     micro, learning_rate);
  });
}

int32_t fdl_ecd_to_device(fdl_ecd* ecd, int32_t device_type, int32_t device_index, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    at::Device device = to_device(device_type, device_index);
    trainer_of(ecd).to_device(device);
    set_pinned_host_tensors(device.is_cuda());
  });
}

int32_t fdl_ecd_compile_stats(const fdl_ecd* ecd, fdl_compile_stats* out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    *out = trainer_of(ecd).compile_stats();
  });
}

int32_t fdl_ecd_set_data_parallel(fdl_ecd* ecd, const fdl_data_parallel* data_parallel, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    check_handle(data_parallel, HandleKind::DataParallel, "data_parallel");
    trainer_of(ecd).set_data_parallel(data_parallel->sync);
  });
}

}  // extern "C"
