// C ABI of the ECD model: built step by step (inputs, combiner, outputs), then trained with one
// call per batch and evaluated/predicted with one call per batch.
#include <c10/core/GradMode.h>

#include <cmath>
#include <functional>

#include "adam.h"
#include "api_guard.h"
#include "bert_handle.h"
#include "cuda_graph_step.h"
#include "distributed/distributed_handles.h"
#include "ecd/ecd_model.h"
#include "ecd/frozen_forward.h"
#include "ecd/torchscript_export.h"
#include "gradient_clipping.h"
#include "mixed_precision.h"
#include "resnet_handle.h"
#include "sgd.h"
#include "tensor_handle.h"
#include "weights_version.h"

struct fdl_ecd {
  fdl::EcdModel model;
  uint64_t seed;
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
};

namespace fdl {
namespace {

fdl_ecd* ecd_of(const fdl_ecd* handle) {
  check_handle(handle, HandleKind::Ecd, "ecd");
  return const_cast<fdl_ecd*>(handle);
}

fdl_ecd* built_ecd(const fdl_ecd* handle) {
  fdl_ecd* e = ecd_of(handle);
  require(e->model->built(), "the model is not built yet: call fdl_ecd_build after adding features");
  return e;
}

std::string name_of(const char* name) {
  require(name != nullptr, "feature name is NULL");
  return name;
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

Activation activation_of(int32_t code) {
  require(code >= FDL_ACTIVATION_RELU && code <= FDL_ACTIVATION_NONE, "unknown activation code " + std::to_string(code));
  return static_cast<Activation>(code);
}

Norm norm_of(int32_t code) {
  require(code >= FDL_NORM_NONE && code <= FDL_NORM_GHOST, "unknown norm code " + std::to_string(code));
  return static_cast<Norm>(code);
}

// The fc layer rows of the C ABI (FDL_FC_INTS and FDL_FC_REALS per layer).
std::vector<FcLayerSpec> fc_layers_of(const int64_t* ints, const double* reals, int32_t n) {
  require(n >= 0, "n_fc_layers must be >= 0, got " + std::to_string(n));
  require(n == 0 || (ints != nullptr && reals != nullptr), "fc layer arrays are NULL");
  std::vector<FcLayerSpec> layers;
  for (int32_t i = 0; i < n; ++i) {
    const int64_t* row = ints + static_cast<ptrdiff_t>(i) * FDL_FC_INTS;
    const double* real = reals + static_cast<ptrdiff_t>(i) * FDL_FC_REALS;
    require(row[1] >= INT32_MIN && row[1] <= INT32_MAX && row[2] >= INT32_MIN && row[2] <= INT32_MAX,
            "fc layer " + std::to_string(i) + ": activation or norm code out of range");
    NormParams norm{row[3], real[1], real[2]};
    layers.push_back({row[0], activation_of(static_cast<int32_t>(row[1])), real[0],
                      norm_of(static_cast<int32_t>(row[2])), norm});
  }
  return layers;
}

SequenceReduce reduce_of(int32_t code) {
  require(code >= FDL_REDUCE_CLS_POOLED && code <= FDL_REDUCE_NONE, "unknown reduce_output code " + std::to_string(code));
  return static_cast<SequenceReduce>(code);
}

std::shared_ptr<CacheableInput> cacheable_input_at(fdl_ecd* e, int32_t index) {
  require(index >= 0 && index < static_cast<int32_t>(e->model->inputs.size()),
          "input index " + std::to_string(index) + " out of range [0, " + std::to_string(e->model->inputs.size()) + ")");
  auto input = std::dynamic_pointer_cast<CacheableInput>(e->model->inputs[index]);
  require(input != nullptr, "input feature '" + e->model->input_names[index] + "' has no encoder whose output can be cached");
  return input;
}

// Adds an output head, created at build time by make(input size), weighted by loss_weight in the total loss.
template <class Make>
void add_output(const fdl_ecd* ecd, const char* name, double loss_weight, Make make) {
  require(loss_weight >= 0, "loss weight must be >= 0, got " + std::to_string(loss_weight));
  ecd_of(ecd)->model->add_output(name_of(name), [=](int64_t input_size) -> std::shared_ptr<OutputFeature> {
    auto output = make(input_size);
    output->loss_weight = loss_weight;
    return output;
  });
}

std::vector<at::Tensor> trainable_parameters(fdl_ecd* e) {
  std::vector<at::Tensor> trainable;
  for (const auto& p : e->model->parameters()) {
    if (p.requires_grad()) trainable.push_back(p);
  }
  return trainable;
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

// The optimizer step at lr: through a device tensor where the optimizer can (the fused CUDA kernels).
void optimizer_step(fdl_ecd* e, double lr) {
  if (!e->optimizer->capturable()) {
    e->optimizer->step(lr);
    return;
  }
  e->learning_rate.fill_(lr);
  e->optimizer->step(e->learning_rate, at::Tensor());
}

// Remembers how to build the optimizer (data parallelism rebuilds it) and builds it now.
void use_optimizer(fdl_ecd* e,
                   std::function<std::unique_ptr<Optimizer>(const std::vector<at::Tensor>&)> make_optimizer) {
  e->make_optimizer = std::move(make_optimizer);
  e->optimizer = e->make_optimizer(optimized_parameters(e));
  forget_graphs(e);
}

std::pair<std::string, at::Tensor> optimizer_state_at(fdl_ecd* e, int32_t index) {
  auto state = e->optimizer->state();
  require(index >= 0 && index < static_cast<int32_t>(state.size()),
          "optimizer state index " + std::to_string(index) + " out of range [0, " + std::to_string(state.size()) + ")");
  return state[index];
}

at::DeviceType device_of(fdl_ecd* e) { return e->device.type(); }

void require_finite_loss(double value) {
  require(std::isfinite(value), "the loss is " + std::to_string(value) +
                                    ": check the inputs for NaN/inf, or lower the learning rate");
}

// Autocast for the ECD's precision on its device (off for float32).
AutocastGuard autocast_for(fdl_ecd* e) {
  return AutocastGuard(e->precision != FDL_PRECISION_FLOAT32, device_of(e),
                       e->precision == FDL_PRECISION_FLOAT16 ? at::kHalf : at::kBFloat16);
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
    clip_gradients(e->model->parameters(), e->clipping);
    at::Tensor non_finite = loss.detach().isfinite().logical_not().to(at::kFloat).reshape({1});
    e->optimizer->step(e->learning_rate, non_finite);
    return loss.detach();
  };
  auto outcome = e->captured->run(x, y, body, [e] { e->model->zero_grad(/*set_to_none=*/true); });
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

int32_t fdl_ecd_new(uint64_t seed, fdl_ecd** out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    auto handle = std::make_unique<fdl_ecd>(
        fdl_ecd{EcdModel(), seed, GradientClipping{}, nullptr, nullptr, FDL_PRECISION_FLOAT32, nullptr, nullptr});
    handle->device = at::Device(at::kCPU);
    register_handle(handle.get(), HandleKind::Ecd, handle->model.ptr().get());
    *out = handle.release();
  });
}

int32_t fdl_ecd_free(fdl_ecd* ecd) { return free_handle(ecd, HandleKind::Ecd); }

int32_t fdl_ecd_add_text_input(fdl_ecd* ecd, const char* name, const fdl_bert* encoder, int32_t reduce,
                               int32_t trainable, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_ecd* e = ecd_of(ecd);
    check_handle(encoder, HandleKind::Bert, "encoder");
    // The ECD shares the encoder module: freeing the fdl_bert handle later leaves it alive here.
    e->model->add_input(name_of(name), std::make_shared<TextInput>(encoder->model, reduce_of(reduce), trainable != 0));
  });
}

int32_t fdl_ecd_add_image_input(fdl_ecd* ecd, const char* name, const fdl_resnet* encoder, int32_t trainable,
                                char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_ecd* e = ecd_of(ecd);
    check_handle(encoder, HandleKind::ResNet, "encoder");
    // Shared like the text encoder: freeing the fdl_resnet handle later leaves it alive here.
    e->model->add_input(name_of(name), std::make_shared<ImageInput>(encoder->model, trainable != 0));
  });
}

int32_t fdl_ecd_add_embedding_input(fdl_ecd* ecd, const char* name, int64_t size, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require(size > 0, "embedding size must be positive, got " + std::to_string(size));
    ecd_of(ecd)->model->add_input(name_of(name), std::make_shared<EmbeddingInput>(size));
  });
}

int32_t fdl_ecd_add_scalar_input(fdl_ecd* ecd, const char* name, const int64_t* fc_ints, const double* fc_reals,
                                 int32_t n_fc_layers, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_ecd* e = ecd_of(ecd);
    auto layers = fc_layers_of(fc_ints, fc_reals, n_fc_layers);
    at::manual_seed(e->seed + e->model->inputs.size());  // each input's initial weights independent of the others
    e->model->add_input(name_of(name), std::make_shared<ScalarInput>(layers));
  });
}

int32_t fdl_ecd_add_category_input(fdl_ecd* ecd, const char* name, int64_t vocab_size, int64_t embedding_size,
                                   int32_t embeddings_trainable, double dropout, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_ecd* e = ecd_of(ecd);
    at::manual_seed(e->seed + e->model->inputs.size());
    e->model->add_input(name_of(name),
                        std::make_shared<CategoryInput>(vocab_size, embedding_size, embeddings_trainable != 0, dropout));
  });
}

int32_t fdl_ecd_add_category_output(fdl_ecd* ecd, const char* name, int64_t num_classes, const float* class_weights,
                                    int32_t n_class_weights, double loss_weight, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require(n_class_weights == 0 || class_weights != nullptr, "class_weights is NULL");
    std::vector<float> weights(class_weights, class_weights + n_class_weights);
    for (float w : weights) require(std::isfinite(w) && w >= 0, "class weights must be finite and >= 0");
    add_output(ecd, name, loss_weight, [=](int64_t input_size) {
      return std::make_shared<CategoryOutput>(input_size, num_classes, weights);
    });
  });
}

int32_t fdl_ecd_add_binary_output(fdl_ecd* ecd, const char* name, double positive_class_weight, double loss_weight,
                                  char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    add_output(ecd, name, loss_weight, [=](int64_t input_size) {
      return std::make_shared<BinaryOutput>(input_size, positive_class_weight);
    });
  });
}

int32_t fdl_ecd_add_number_output(fdl_ecd* ecd, const char* name, int32_t loss_type, double loss_weight,
                                  char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require(loss_type >= FDL_NUMBER_LOSS_MSE && loss_type <= FDL_NUMBER_LOSS_RMSE,
            "unknown number loss code " + std::to_string(loss_type));
    add_output(ecd, name, loss_weight, [=](int64_t input_size) {
      return std::make_shared<NumberOutput>(input_size, static_cast<NumberLoss>(loss_type));
    });
  });
}

int32_t fdl_ecd_build(fdl_ecd* ecd, const int64_t* fc_ints, const double* fc_reals, int32_t n_fc_layers,
                      int32_t residual, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_ecd* e = ecd_of(ecd);
    auto layers = fc_layers_of(fc_ints, fc_reals, n_fc_layers);
    at::manual_seed(e->seed);
    e->model->build(layers, residual != 0);
    use_optimizer(e, [](const std::vector<at::Tensor>& params) {
      return std::make_unique<MultiTensorAdam>(params, AdamOptions{});
    });
  });
}

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

int32_t fdl_ecd_set_cached_embeddings(fdl_ecd* ecd, int32_t input_index, int32_t enabled, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    auto input = cacheable_input_at(ecd_of(ecd), input_index);
    require(enabled == 0 || !input->trainable, "cached embeddings need a frozen encoder (trainable: false)");
    input->use_cached_embeddings = enabled != 0;
  });
}

int32_t fdl_ecd_embed(fdl_ecd* ecd, int32_t input_index, const fdl_tensor* const* raw_inputs, int32_t n_raw_inputs,
                      fdl_tensor** out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    fdl_ecd* e = ecd_of(ecd);
    auto input = cacheable_input_at(e, input_index);
    auto raw = tensors_of(raw_inputs, n_raw_inputs, "raw_inputs");
    // Values are checked on the host, where reading them costs nothing.
    input->check_values(raw);
    *out = new_tensor_handle(input->embed(on_model_device(e, raw)).to(at::kCPU));
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
    e->model->train();
    if (e->captured && begins_update != 0 && ends_update != 0 && why_not_captured(e).empty()) {
      *loss_out = captured_train_step(e, x, y, learning_rate);
      return;
    }
    x = on_model_device(e, std::move(x));
    y = on_model_device(e, std::move(y));
    // set_to_none: the first backward writes gradients instead of adding to zeros; later micro-batches add.
    if (begins_update != 0) e->model->zero_grad(/*set_to_none=*/true);
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
      bool finite = !e->scaler || e->scaler->unscale_and_check(e->model->parameters());
      if (finite) {
        if (e->data_parallel) {
          // The global norm spans every rank's shard under ZeRO-1; per-tensor limits are local.
          if (e->clipping.max_global_norm > 0) e->data_parallel->clip_global_norm(e->clipping.max_global_norm);
          clip_gradients(e->model->parameters(), GradientClipping{0, e->clipping.max_norm, e->clipping.max_value});
        } else {
          clip_gradients(e->model->parameters(), e->clipping);
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

int32_t fdl_ecd_evaluate(fdl_ecd* ecd, const fdl_tensor* const* inputs, int32_t n_inputs,
                         const fdl_tensor* const* targets, int32_t n_targets, double* loss_out,
                         fdl_tensor** predictions, int32_t n_predictions, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_ecd* e = built_ecd(ecd);
    int32_t n_outputs = static_cast<int32_t>(e->model->outputs.size());
    require(predictions != nullptr && n_predictions == n_outputs,
            "predictions must hold " + std::to_string(n_outputs) + " entries (one per output feature), got " +
                std::to_string(n_predictions));
    auto x = tensors_of(inputs, n_inputs, "inputs");
    auto y = tensors_of(targets, n_targets, "targets");
    e->model->check_values(x, y);
    x = on_model_device(e, std::move(x));
    y = on_model_device(e, std::move(y));
    c10::NoGradGuard no_grad;
    e->model->eval();
    AutocastGuard autocast = autocast_for(e);
    bool use_frozen = e->compile && why_not_frozen(e).empty();
    if (use_frozen && !e->frozen) e->frozen = std::make_unique<FrozenForward>();
    auto logits = use_frozen ? e->frozen->forward(*e->model, x) : e->model->forward(x);
    if (n_targets > 0) {
      require_out(loss_out, "loss_out");
      *loss_out = e->model->loss(logits, y).to(at::kFloat).item<double>();
    }
    e->model->train();
    for (int32_t i = 0; i < n_outputs; ++i) {
      predictions[i] = new_tensor_handle(e->model->outputs[i]->prediction(logits[i]).to(at::kCPU));
    }
  });
}

int32_t fdl_ecd_export_torchscript(const fdl_ecd* ecd, const char* path, const double* binary_thresholds,
                                   int32_t n_thresholds, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_ecd* e = built_ecd(ecd);
    require(path != nullptr && path[0] != '\0', "path is NULL or empty");
    require(n_thresholds >= 0 && (n_thresholds == 0 || binary_thresholds != nullptr), "binary_thresholds is NULL");
    std::vector<double> thresholds(binary_thresholds, binary_thresholds + n_thresholds);
    for (double t : thresholds) require(std::isfinite(t), "binary thresholds must be finite");
    export_torchscript(*e->model, thresholds, path);
  });
}

}  // extern "C"
