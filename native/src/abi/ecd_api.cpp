// C ABI of the ECD model, building and predicting: added step by step (inputs, combiner, outputs),
// then evaluated or exported with one call per batch. Training: ecd_training_api.cpp.
#include <c10/core/InferenceMode.h>
#include <c10/core/GradMode.h>

#include <cmath>

#include "optim/adam.h"
#include "abi/api_guard.h"
#include "abi/bert_handle.h"
#include "ecd/torchscript_export.h"
#include "abi/ecd_handle.h"
#include "abi/resnet_handle.h"

namespace fdl {
namespace {

std::string name_of(const char* name) {
  require(name != nullptr, "feature name is NULL");
  return name;
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
    require(row[4] == 0 || row[4] == 1, "fc layer " + std::to_string(i) + ": use_bias must be 0 or 1, got " +
                                            std::to_string(row[4]));
    layers.push_back({row[0], activation_of(static_cast<int32_t>(row[1])), real[0],
                      norm_of(static_cast<int32_t>(row[2])), norm, row[4] == 1});
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

}  // namespace
}  // namespace fdl

using namespace fdl;

extern "C" {

int32_t fdl_ecd_new(uint64_t seed, fdl_ecd** out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    auto handle = std::make_unique<fdl_ecd>();
    handle->seed = seed;
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

int32_t fdl_ecd_set_decoder_layers(fdl_ecd* ecd, const char* output_name, const int64_t* fc_ints,
                                   const double* fc_reals, int32_t n_fc_layers, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    ecd_of(ecd)->model->set_decoder_layers(name_of(output_name), fc_layers_of(fc_ints, fc_reals, n_fc_layers));
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
    at::Tensor embedding;
    {
      // No autograd bookkeeping at all (no version counters, no view tracking): the frozen pass of
      // cache_encoder_embeddings runs here, on every row of the dataset.
      c10::InferenceMode inference;
      embedding = input->embed(on_model_device(e, raw));
    }
    // A normal tensor for the caller: an inference tensor would fail if a caller trained on it.
    *out = new_tensor_handle(embedding.to(at::kCPU).clone());
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
