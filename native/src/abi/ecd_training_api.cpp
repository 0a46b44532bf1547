// C ABI of the ECD model, training: optimizers and their state, clipping, precision, one train step
// per (micro-)batch, the model's device, compile (CUDA graphs) and data parallelism.
#include <c10/core/GradMode.h>

#include <cmath>

#include "optim/adam.h"
#include "abi/api_guard.h"
#include "abi/distributed_handles.h"
#include "abi/ecd_handle.h"
#include "optim/sgd.h"
#include "core/weights_version.h"

namespace fdl {
namespace {

// The optimizer step at lr: through a device tensor where the optimizer can (the fused CUDA kernels).
void optimizer_step(fdl_ecd* e, double lr) {
  if (!e->optimizer->capturable()) {
    e->optimizer->step(lr);
    return;
  }
  e->learning_rate.fill_(lr);
  e->optimizer->step(e->learning_rate, at::Tensor());
}

std::pair<std::string, at::Tensor> optimizer_state_at(fdl_ecd* e, int32_t index) {
  auto state = e->optimizer->state();
  require(index >= 0 && index < static_cast<int32_t>(state.size()),
          "optimizer state index " + std::to_string(index) + " out of range [0, " + std::to_string(state.size()) + ")");
  return state[index];
}

// set_to_none: the first backward writes gradients instead of adding to zeros; later micro-batches add.
void zero_gradients(fdl_ecd* e) {
  for (const auto& p : trainable_parameters(e)) p.mutable_grad().reset();
}

void require_finite_loss(double value) {
  require(std::isfinite(value), "the loss is " + std::to_string(value) +
                                    ": check the inputs for NaN/inf, or lower the learning rate");
}

// trainer.compile: one whole update (a single micro-batch) through the shape's CUDA graph. The loss
// is read after the update; a non-finite one made the optimizer skip the update on the device.
double captured_train_step(fdl_ecd* e, std::vector<at::Tensor> x, std::vector<at::Tensor> y, double learning_rate) {
  x = on_model_device(e, e->model->padded_to_buckets(x));
  y = on_model_device(e, std::move(y));
  e->learning_rate.fill_(learning_rate);
  auto body = [e](const std::vector<at::Tensor>& inputs, const std::vector<at::Tensor>& targets) {
    at::Tensor loss;
    {
      AutocastGuard autocast = autocast_for(e);
      loss = e->model->loss(e->model->forward(inputs), targets).to(at::kFloat);
    }
    loss.backward();
    clip_gradients(trainable_parameters(e), e->clipping);
    at::Tensor non_finite = loss.detach().isfinite().logical_not().to(at::kFloat).reshape({1});
    e->optimizer->step(e->learning_rate, non_finite);
    return loss.detach();
  };
  auto outcome = e->captured->run(x, y, body, [e] { zero_gradients(e); });
  if (outcome.replayed_only) e->optimizer->count_replayed_step();
  bump_weights_version();
  double value = outcome.loss.item<double>();
  require_finite_loss(value);
  return value;
}

void require_weight_decay(double weight_decay) {
  require(std::isfinite(weight_decay) && weight_decay >= 0,
          "weight_decay must be finite and >= 0, got " + std::to_string(weight_decay));
}

}  // namespace
}  // namespace fdl

using namespace fdl;

extern "C" {

int32_t fdl_ecd_set_adam(fdl_ecd* ecd, double beta1, double beta2, double eps, double weight_decay,
                         int32_t decoupled, int32_t exclude_bias_and_norm, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_ecd* e = built_ecd(ecd);
    require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1,
            "betas must lie in [0, 1), got " + std::to_string(beta1) + ", " + std::to_string(beta2));
    require(eps > 0, "eps must be > 0, got " + std::to_string(eps));
    require_weight_decay(weight_decay);
    AdamOptions options{beta1, beta2, eps, weight_decay, decoupled != 0};
    bool exclude = exclude_bias_and_norm != 0;
    use_optimizer(e, [=](const std::vector<at::Tensor>& params) {
      return std::make_unique<MultiTensorAdam>(params, options, weight_decay_mask(params, exclude));
    });
  });
}

int32_t fdl_ecd_set_sgd(fdl_ecd* ecd, double momentum, double dampening, double weight_decay, int32_t nesterov,
                        int32_t exclude_bias_and_norm, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_ecd* e = built_ecd(ecd);
    require(std::isfinite(momentum) && momentum >= 0 && std::isfinite(dampening) && dampening >= 0,
            "momentum and dampening must be finite and >= 0, got " + std::to_string(momentum) + ", " +
                std::to_string(dampening));
    require(nesterov == 0 || (momentum > 0 && dampening == 0),
            "Nesterov momentum needs momentum > 0 and dampening 0, got " + std::to_string(momentum) + ", " +
                std::to_string(dampening));
    require_weight_decay(weight_decay);
    SgdOptions options{momentum, dampening, weight_decay, nesterov != 0};
    bool exclude = exclude_bias_and_norm != 0;
    use_optimizer(e, [=](const std::vector<at::Tensor>& params) {
      return std::make_unique<MultiTensorSgd>(params, options, weight_decay_mask(params, exclude));
    });
  });
}

int32_t fdl_ecd_set_gradient_clipping(fdl_ecd* ecd, double max_global_norm, double max_norm, double max_value,
                                      char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require(std::isfinite(max_global_norm) && std::isfinite(max_norm) && std::isfinite(max_value),
            "clipping limits must be finite");
    ecd_of(ecd)->clipping = GradientClipping{max_global_norm, max_norm, max_value};
  });
}

int32_t fdl_ecd_optimizer_state_count(const fdl_ecd* ecd, int32_t* out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    *out = static_cast<int32_t>(built_ecd(ecd)->optimizer->state().size());
  });
}

int32_t fdl_ecd_optimizer_state_name(const fdl_ecd* ecd, int32_t index, char* name, size_t name_cap, char* err,
                                     size_t err_cap) {
  return guarded(err, err_cap, [&] {
    std::string key = optimizer_state_at(built_ecd(ecd), index).first;
    require(name != nullptr && key.size() < name_cap, "name buffer too small for '" + key + "'");
    write_message(name, name_cap, key);
  });
}

int32_t fdl_ecd_optimizer_state_get(const fdl_ecd* ecd, int32_t index, fdl_tensor** out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    *out = new_tensor_handle(optimizer_state_at(built_ecd(ecd), index).second.detach().clone());
  });
}

int32_t fdl_ecd_optimizer_state_set(fdl_ecd* ecd, const char* name, const fdl_tensor* value, char* err,
                                    size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require(name != nullptr, "name is NULL");
    built_ecd(ecd)->optimizer->load_state(name, tensor_of(value, "value"));
  });
}

int32_t fdl_ecd_set_precision(fdl_ecd* ecd, int32_t precision, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_ecd* e = built_ecd(ecd);
    require(precision >= FDL_PRECISION_FLOAT32 && precision <= FDL_PRECISION_FLOAT16,
            "unknown precision code " + std::to_string(precision));
    require(precision != FDL_PRECISION_FLOAT16 || device_of(e) == at::kCUDA,
            "float16 autocast needs a CUDA device; on CPU use bfloat16");
    require(precision != FDL_PRECISION_FLOAT16 || !e->data_parallel ||
                e->data_parallel->strategy() != Strategy::Zero1,
            "float16 loss scaling with ZeRO-1 is not supported; use bfloat16 or the ddp strategy");
    e->precision = precision;
    e->scaler = precision == FDL_PRECISION_FLOAT16 ? std::make_unique<DynamicLossScaler>() : nullptr;
    forget_graphs(e);
  });
}

int32_t fdl_ecd_loss_scale(const fdl_ecd* ecd, double* scale, int64_t* skipped_steps, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_ecd* e = built_ecd(ecd);
    require_out(scale, "scale");
    require_out(skipped_steps, "skipped_steps");
    *scale = e->scaler ? e->scaler->scale() : 1.0;
    *skipped_steps = e->scaler ? e->scaler->skipped_steps() : 0;
  });
}

int32_t fdl_ecd_train_step(fdl_ecd* ecd, const fdl_tensor* const* inputs, int32_t n_inputs,
                           const fdl_tensor* const* targets, int32_t n_targets, double loss_scale,
                           int32_t begins_update, int32_t ends_update, double learning_rate, double* loss_out,
                           char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_ecd* e = built_ecd(ecd);
    require_out(loss_out, "loss_out");
    require(std::isfinite(learning_rate) && learning_rate >= 0,
            "learning rate must be finite and >= 0, got " + std::to_string(learning_rate));
    require(std::isfinite(loss_scale) && loss_scale > 0 && loss_scale <= 1,
            "loss_scale must lie in (0, 1], got " + std::to_string(loss_scale));
    auto x = tensors_of(inputs, n_inputs, "inputs");
    auto y = tensors_of(targets, n_targets, "targets");
    e->model->check_values(x, y);  // on the host, before the batch moves to the model's device
    if (!e->model->is_training()) e->model->train();  // a walk over every module: only after an evaluation
    if (e->captured && begins_update != 0 && ends_update != 0 && why_not_captured(e).empty()) {
      *loss_out = captured_train_step(e, x, y, learning_rate);
      return;
    }
    x = on_model_device(e, std::move(x));
    y = on_model_device(e, std::move(y));
    if (begins_update != 0) zero_gradients(e);
    at::Tensor loss;
    {
      AutocastGuard autocast = autocast_for(e);  // forward and loss only; backward follows the forward's dtypes
      loss = e->model->loss(e->model->forward(x), y).to(at::kFloat);
    }
    double value = loss.item<double>();
    require_finite_loss(value);
    double scale = loss_scale * (e->scaler ? e->scaler->scale() : 1.0);
    (scale == 1 ? loss : loss * scale).backward();
    if (ends_update != 0) {
      // Data-parallel: the accumulated gradients are summed over ranks, weighted by each rank's rows.
      if (e->data_parallel) e->data_parallel->reduce_gradients();
      // float16: gradients are unscaled first; a step with inf/NaN gradients is skipped (and counted).
      bool finite = !e->scaler || e->scaler->unscale_and_check(trainable_parameters(e));
      if (finite) {
        if (e->data_parallel) {
          // The global norm spans every rank's shard under ZeRO-1; per-tensor limits are local.
          if (e->clipping.max_global_norm > 0) e->data_parallel->clip_global_norm(e->clipping.max_global_norm);
          clip_gradients(trainable_parameters(e), GradientClipping{0, e->clipping.max_norm, e->clipping.max_value});
        } else {
          clip_gradients(trainable_parameters(e), e->clipping);
        }
        optimizer_step(e, learning_rate);
        bump_weights_version();
      }
      if (e->data_parallel) e->data_parallel->gather_parameters();
    }
    *loss_out = value;
  });
}

int32_t fdl_ecd_to_device(fdl_ecd* ecd, int32_t device_type, int32_t device_index, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_ecd* e = built_ecd(ecd);
    require(!e->data_parallel, "move the model to its device before the data-parallel set-up");
    at::Device device = to_device(device_type, device_index);
    // The optimizer's state moves with the model: rebuilt over the moved parameters, then reloaded.
    std::vector<std::pair<std::string, at::Tensor>> saved;
    for (const auto& [name, value] : e->optimizer->state()) saved.emplace_back(name, value.detach().clone());
    e->model->to(device);
    bump_weights_version();
    e->device = device;
    e->learning_rate = at::zeros({}, at::TensorOptions().dtype(at::kFloat).device(device));
    e->optimizer = e->make_optimizer(optimized_parameters(e));
    for (const auto& [name, value] : saved) e->optimizer->load_state(name, value);
    forget_graphs(e);
    set_pinned_host_tensors(device.is_cuda());
  });
}

int32_t fdl_ecd_set_compile(fdl_ecd* ecd, int32_t enabled, char* report, size_t report_cap, char* err,
                            size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_ecd* e = built_ecd(ecd);
    require(report != nullptr && report_cap > 0, "report buffer is NULL");
    e->compile = enabled != 0;
    forget_graphs(e);
    std::string why = why_not_captured(e);
    if (why.empty() && !e->captured) why = "this LibTorch build has no CUDA graphs";
    std::string why_eval = why_not_frozen(e);
    std::string text = !e->compile ? "eager"
        : e->captured ? "each input shape's whole train step (forward, loss, backward, clipping, optimizer) is "
                        "captured as a CUDA graph after 3 eager warm-up steps and replayed; text inputs are padded "
                        "to power-of-two length buckets; up to 8 graphs, further shapes run eager"
                      : "training eager (" + why + "); evaluation and prediction " +
                            (why_eval.empty() ? "run a frozen TorchScript copy of the model where the first batch "
                                                "shows it faster (remade after the weights change)"
                                              : "eager (" + why_eval + ")");
    write_message(report, report_cap, text);
  });
}

int32_t fdl_ecd_compile_stats(const fdl_ecd* ecd, int64_t* graphs, int64_t* replays, int64_t* eager_steps,
                              int64_t* frozen_copies, double* frozen_ms, double* eager_ms,
                              double* frozen_difference, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_ecd* e = built_ecd(ecd);
    require_out(graphs, "graphs");
    require_out(replays, "replays");
    require_out(eager_steps, "eager_steps");
    require_out(frozen_copies, "frozen_copies");
    require_out(frozen_ms, "frozen_ms");
    require_out(eager_ms, "eager_ms");
    require_out(frozen_difference, "frozen_difference");
    *graphs = e->captured ? e->captured->graphs() : 0;
    *replays = e->captured ? e->captured->replays() : 0;
    *eager_steps = e->captured ? e->captured->eager_steps() : 0;
    *frozen_copies = e->frozen ? e->frozen->builds() : 0;
    *frozen_ms = e->frozen ? e->frozen->frozen_ms() : 0;
    *eager_ms = e->frozen ? e->frozen->eager_ms() : 0;
    *frozen_difference = e->frozen ? e->frozen->max_difference() : 0;
  });
}

int32_t fdl_ecd_set_data_parallel(fdl_ecd* ecd, const fdl_data_parallel* data_parallel, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_ecd* e = built_ecd(ecd);
    check_handle(data_parallel, HandleKind::DataParallel, "data_parallel");
    // ZeRO-1 ranks would each see inf/NaN in their own shard only and could disagree on skipping a step.
    require(!(e->scaler && data_parallel->sync->strategy() == Strategy::Zero1),
            "float16 loss scaling with ZeRO-1 is not supported; use bfloat16 or the ddp strategy");
    e->data_parallel = data_parallel->sync;
    // ZeRO-1: optimizer state only for the parameters this rank updates.
    e->optimizer = e->make_optimizer(optimized_parameters(e));
    forget_graphs(e);
  });
}

}  // extern "C"
