// C ABI of the ECD model, building and predicting: one spec builds it, then it is evaluated or
// exported with one call per batch. Training: ecd_training_api.cpp. Each function unwraps its
// arguments and calls the trainer (ecd/trainer.h).
#include <cmath>

#include "abi/api_guard.h"
#include "abi/ecd_handle.h"
#include "ecd/torchscript_export.h"

namespace fdl {

Trainer& trainer_of(const fdl_ecd* handle) {
  check_handle(handle, HandleKind::Ecd, "ecd");
  return *handle->trainer;
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

}  // namespace fdl

using namespace fdl;

extern "C" {

int32_t fdl_ecd_new(const fdl_ecd_spec* spec, fdl_ecd** out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require(spec != nullptr, "spec is NULL");
    require_out(out, "out");
    auto handle = std::make_unique<fdl_ecd>();
    handle->trainer = std::make_unique<Trainer>(model_of(*spec));
    register_handle(handle.get(), HandleKind::Ecd, handle->trainer->model().ptr().get());
    *out = handle.release();
  });
}

int32_t fdl_ecd_free(fdl_ecd* ecd) { return free_handle(ecd, HandleKind::Ecd); }

int32_t fdl_ecd_set_cached_embeddings(fdl_ecd* ecd, int32_t input_index, int32_t enabled, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] { trainer_of(ecd).set_cached_embeddings(input_index, enabled != 0); });
}

int32_t fdl_ecd_embed(fdl_ecd* ecd, int32_t input_index, const fdl_tensor* const* raw_inputs, int32_t n_raw_inputs,
                      fdl_tensor** out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    *out = new_tensor_handle(trainer_of(ecd).embed(input_index, tensors_of(raw_inputs, n_raw_inputs, "raw_inputs")));
  });
}

int32_t fdl_ecd_evaluate(fdl_ecd* ecd, const fdl_tensor* const* inputs, int32_t n_inputs,
                         const fdl_tensor* const* targets, int32_t n_targets, double* loss_out,
                         fdl_tensor** predictions, int32_t n_predictions, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    Trainer& trainer = trainer_of(ecd);
    size_t n_outputs = trainer.model()->outputs.size();
    require(predictions != nullptr && n_predictions == static_cast<int32_t>(n_outputs),
            "predictions must hold " + std::to_string(n_outputs) + " entries (one per output feature), got " +
                std::to_string(n_predictions));
    if (n_targets > 0) require_out(loss_out, "loss_out");
    auto out = trainer.evaluate(tensors_of(inputs, n_inputs, "inputs"), tensors_of(targets, n_targets, "targets"),
                                loss_out);
    for (size_t i = 0; i < n_outputs; ++i) predictions[i] = new_tensor_handle(out[i]);
  });
}

int32_t fdl_ecd_export_torchscript(const fdl_ecd* ecd, const char* path, const double* binary_thresholds,
                                   int32_t n_thresholds, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    Trainer& trainer = trainer_of(ecd);
    require(path != nullptr && path[0] != '\0', "path is NULL or empty");
    require(n_thresholds >= 0 && (n_thresholds == 0 || binary_thresholds != nullptr), "binary_thresholds is NULL");
    std::vector<double> thresholds(binary_thresholds, binary_thresholds + n_thresholds);
    for (double t : thresholds) require(std::isfinite(t), "binary thresholds must be finite");
    export_torchscript(*trainer.model(), thresholds, path);
  });
}

}  // extern "C"
