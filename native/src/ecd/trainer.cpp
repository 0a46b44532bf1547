#include "ecd/trainer.h"

#include <c10/core/GradMode.h>
#include <c10/core/InferenceMode.h>

#include <cmath>
#include <regex>

#include "core/failure.h"
#include "core/weights_version.h"
#include "nn/text_encoder.h"
#include "optim/adam.h"
#include "optim/sgd.h"

namespace fdl {

namespace {

void require_finite_loss(double value) {
  require(std::isfinite(value), "the loss is " + std::to_string(value) +
                                    ": check the inputs for NaN/inf, or lower the learning rate");
}

void require_clipping(const fdl_clipping_spec& c) {
  require(std::isfinite(c.max_global_norm) && std::isfinite(c.max_norm) && std::isfinite(c.max_value),
          "clipping limits must be finite");
}

}  // namespace

Trainer::MakeOptimizer optimizer_of(const fdl_optimizer_spec& s) {
  require(std::isfinite(s.weight_decay) && s.weight_decay >= 0,
          "weight_decay must be finite and >= 0, got " + std::to_string(s.weight_decay));
  bool exclude = s.exclude_bias_and_norm != 0;
  if (s.type == FDL_OPTIMIZER_SGD) {
    require(std::isfinite(s.momentum) && s.momentum >= 0 && std::isfinite(s.dampening) && s.dampening >= 0,
            "momentum and dampening must be finite and >= 0, got " + std::to_string(s.momentum) + ", " +
                std::to_string(s.dampening));
    require(s.nesterov == 0 || (s.momentum > 0 && s.dampening == 0),
            "Nesterov momentum needs momentum > 0 and dampening 0, got " + std::to_string(s.momentum) + ", " +
                std::to_string(s.dampening));
    SgdOptions options{s.momentum, s.dampening, s.weight_decay, s.nesterov != 0};
    return [=](const std::vector<at::Tensor>& params) {
      return std::make_unique<MultiTensorSgd>(params, options, weight_decay_mask(params, exclude));
    };
  }
  require(s.type == FDL_OPTIMIZER_ADAMW || s.type == FDL_OPTIMIZER_ADAM,
          "unknown optimizer type " + std::to_string(static_cast<int>(s.type)));
  require(s.beta1 >= 0 && s.beta1 < 1 && s.beta2 >= 0 && s.beta2 < 1,
          "betas must lie in [0, 1), got " + std::to_string(s.beta1) + ", " + std::to_string(s.beta2));
  require(s.eps > 0, "eps must be > 0, got " + std::to_string(s.eps));
  AdamOptions options{s.beta1, s.beta2, s.eps, s.weight_decay, s.type == FDL_OPTIMIZER_ADAMW};
  return [=](const std::vector<at::Tensor>& params) {
    return std::make_unique<MultiTensorAdam>(params, options, weight_decay_mask(params, exclude));
  };
}

Trainer::Trainer(EcdModel model) : model_(std::move(model)), clipping_{} {
  require(model_->built(), "the model is not built");
  for (const auto& p : model_->named_parameters()) {
    if (!p.value().requires_grad()) continue;
    buildable_.emplace_back(p.key(), p.value());
    trainable_.push_back(p.value());
  }
  learning_rate_ = at::zeros({}, at::TensorOptions().dtype(at::kFloat));
  use_optimizer([](const std::vector<at::Tensor>& params) {
    return std::make_unique<MultiTensorAdam>(params, AdamOptions{});
  });
}

std::string Trainer::configure(const fdl_train_spec& spec) {
  require(spec.precision >= FDL_PRECISION_FLOAT32 && spec.precision <= FDL_PRECISION_FLOAT16,
          "unknown precision code " + std::to_string(static_cast<int>(spec.precision)));
  require(spec.precision != FDL_PRECISION_FLOAT16 || device_.is_cuda(),
          "float16 autocast needs a CUDA device; on CPU use bfloat16");
  require(spec.precision != FDL_PRECISION_FLOAT16 || !data_parallel_ || data_parallel_->strategy() != Strategy::Zero1,
          "float16 loss scaling with ZeRO-1 is not supported; use bfloat16 or the ddp strategy");
  require_clipping(spec.clipping);
  require(std::isfinite(spec.l1_regularization) && spec.l1_regularization >= 0,
          "l1_regularization must be finite and >= 0, got " + std::to_string(spec.l1_regularization));
  MakeOptimizer make = optimizer_of(spec.optimizer);  // checked before anything changes
  std::vector<at::Tensor> trainable = unfrozen(spec.layers_to_freeze_regex);
  require(trainable.size() == trainable_.size() || !data_parallel_,
          "layers_to_freeze_regex must be set before the data-parallel set-up, which shards the trainable parameters");
  for (const auto& [name, p] : buildable_) {
    p.set_requires_grad(false);
    p.mutable_grad().reset();  // a frozen parameter keeps no gradient from earlier steps
  }
  for (const auto& p : trainable) p.set_requires_grad(true);
  trainable_ = std::move(trainable);
  clipping_ = spec.clipping;
  l1_ = spec.l1_regularization;
  precision_ = spec.precision;
  scaler_ = precision_ == FDL_PRECISION_FLOAT16 ? std::make_unique<DynamicLossScaler>() : nullptr;
  compile_ = spec.compile != 0;
  gradient_checkpointing_ = spec.gradient_checkpointing != 0;
  for (const auto& module : model_->modules()) {
    if (auto* text = dynamic_cast<TextEncoderImpl*>(module.get())) text->set_gradient_checkpointing(gradient_checkpointing_);
  }
  use_optimizer(std::move(make));
  return compile_report();
}

double Trainer::step(std::vector<at::Tensor> x, std::vector<at::Tensor> y, const MicroBatch& micro, double lr) {
  require(std::isfinite(lr) && lr >= 0, "learning rate must be finite and >= 0, got " + std::to_string(lr));
  require(std::isfinite(micro.loss_scale) && micro.loss_scale > 0 && micro.loss_scale <= 1,
          "loss_scale must lie in (0, 1], got " + std::to_string(micro.loss_scale));
  model_->check_values(x, y);  // on the host, before the batch moves to the model's device
  if (!model_->is_training()) model_->train();  // a walk over every module: only after an evaluation
  lr_ = lr;
  if (optimizer_->capturable()) learning_rate_.fill_(lr);
  if (captured_ && micro.begins_update && micro.ends_update && why_not_captured().empty()) {
    return captured_step(std::move(x), std::move(y), lr);
  }
  x = on_device(std::move(x));
  y = on_device(std::move(y));
  if (micro.begins_update) zero_gradients();
  double loss = 0;
  run_body(x, y, micro, &loss);
  if (micro.ends_update) bump_weights_version();
  return loss;
}

at::Tensor Trainer::run_body(const std::vector<at::Tensor>& x, const std::vector<at::Tensor>& y,
                             const MicroBatch& micro, double* host_loss) {
  bool captured = host_loss == nullptr;
  at::Tensor loss;
  {
    AutocastGuard guard = autocast();  // forward and loss only; backward follows the forward's dtypes
    loss = model_->loss(model_->forward(x), y).to(at::kFloat);
  }
  if (!captured) {
    *host_loss = loss.item<double>();  // the step's one host sync, before backward: a NaN changes nothing
    require_finite_loss(*host_loss);
  }
  double scale = micro.loss_scale * (scaler_ ? scaler_->scale() : 1.0);
  (scale == 1 ? loss : loss * scale).backward();
  if (micro.ends_update) {
    update(captured ? loss.detach().isfinite().logical_not().to(at::kFloat).reshape({1}) : at::Tensor());
  }
  return loss.detach();
}

// Data-parallel: the accumulated gradients are summed over ranks, weighted by each rank's rows.
// float16: gradients are unscaled first; a step with inf/NaN gradients is skipped (and counted).
void Trainer::update(const at::Tensor& skip_if_nonzero) {
  if (data_parallel_) data_parallel_->reduce_gradients();
  if (!scaler_ || scaler_->unscale_and_check(trainable_)) {
    if (l1_ > 0) add_l1_gradient();
    clip();
    if (optimizer_->capturable()) {
      optimizer_->step(learning_rate_, skip_if_nonzero);
    } else {
      optimizer_->step(lr_);
    }
  }
  if (data_parallel_) data_parallel_->gather_parameters();
}

// Ludwig adds lambda * sum|p| over every parameter to the loss; its gradient, lambda * sign(p), is
// added here once per update (as the penalty is once per update's loss), so clipping sees it as in
// Ludwig. A parameter the batch did not reach still gets the term, as autograd would give it.
void Trainer::add_l1_gradient() {
  for (const auto& p : trainable_) {
    at::Tensor term = p.detach().sign().mul_(l1_);
    if (p.grad().defined()) {
      p.mutable_grad().add_(term);
    } else {
      p.mutable_grad() = term;
    }
  }
}

void Trainer::clip() {
  if (!data_parallel_) {
    clip_gradients(trainable_, clipping_);
    return;
  }
  // The global norm spans every rank's shard under ZeRO-1; per-tensor limits are local.
  if (clipping_.max_global_norm > 0) data_parallel_->clip_global_norm(clipping_.max_global_norm);
  clip_gradients(trainable_, GradientClipping{0, clipping_.max_norm, clipping_.max_value});
}

// trainer.compile: one whole update (a single micro-batch) through the shape's CUDA graph. The loss
// is read after the update; a non-finite one made the optimizer skip the update on the device.
double Trainer::captured_step(std::vector<at::Tensor> x, std::vector<at::Tensor> y, double lr) {
  x = on_device(model_->padded_to_buckets(x));
  y = on_device(std::move(y));
  auto body = [this](const std::vector<at::Tensor>& inputs, const std::vector<at::Tensor>& targets) {
    return run_body(inputs, targets, MicroBatch{}, nullptr);
  };
  auto outcome = captured_->run(x, y, body, [this] { zero_gradients(); });
  if (outcome.replayed_only) optimizer_->count_replayed_step();
  bump_weights_version();
  double value = outcome.loss.item<double>();
  require_finite_loss(value);
  return value;
}

std::vector<at::Tensor> Trainer::evaluate(std::vector<at::Tensor> x, std::vector<at::Tensor> y, double* loss) {
  model_->check_values(x, y);
  x = on_device(std::move(x));
  y = on_device(std::move(y));
  c10::NoGradGuard no_grad;
  model_->eval();
  AutocastGuard guard = autocast();
  bool use_frozen = compile_ && why_not_frozen().empty();
  if (use_frozen && !frozen_) frozen_ = std::make_unique<FrozenForward>();
  auto logits = use_frozen ? frozen_->forward(*model_, x) : model_->forward(x);
  if (!y.empty()) *loss = model_->loss(logits, y).to(at::kFloat).item<double>();
  model_->train();
  std::vector<at::Tensor> predictions;
  for (size_t i = 0; i < logits.size(); ++i) predictions.push_back(model_->outputs[i]->prediction(logits[i]).to(at::kCPU));
  return predictions;
}

std::shared_ptr<CacheableInput> Trainer::cacheable_input(int32_t index) const {
  const auto& inputs = model_->inputs;
  require(index >= 0 && index < static_cast<int32_t>(inputs.size()),
          "input index " + std::to_string(index) + " out of range [0, " + std::to_string(inputs.size()) + ")");
  auto input = std::dynamic_pointer_cast<CacheableInput>(inputs[index]);
  require(input != nullptr, "input feature '" + model_->input_names[index] + "' has no encoder whose output can be cached");
  std::string why_not = input->why_not_cacheable();
  require(why_not.empty(), "input feature '" + model_->input_names[index] + "' cannot be cached: " + why_not);
  return input;
}

at::Tensor Trainer::embed(int32_t index, std::vector<at::Tensor> raw) {
  auto input = cacheable_input(index);
  input->check_values(raw);  // on the host, where reading values costs nothing
  at::Tensor embedding;
  {
    // No autograd bookkeeping at all (no version counters, no view tracking): the frozen pass of
    // cache_encoder_embeddings runs here, on every row of the dataset.
    c10::InferenceMode inference;
    embedding = input->embed(on_device(std::move(raw)));
  }
  // A normal tensor for the caller: an inference tensor would fail if a caller trained on it.
  return embedding.to(at::kCPU).clone();
}

void Trainer::set_cached_embeddings(int32_t index, bool enabled) {
  auto input = cacheable_input(index);
  require(!enabled || !input->trainable, "cached embeddings need a frozen encoder (trainable: false)");
  input->use_cached_embeddings = enabled;
}

void Trainer::to_device(at::Device device) {
  require(!data_parallel_, "move the model to its device before the data-parallel set-up");
  // The optimizer's state moves with the model: rebuilt over the moved parameters, then reloaded.
  std::vector<std::pair<std::string, at::Tensor>> saved;
  for (const auto& [name, value] : optimizer_->state()) saved.emplace_back(name, value.detach().clone());
  model_->to(device);
  bump_weights_version();
  device_ = device;
  learning_rate_ = at::zeros({}, at::TensorOptions().dtype(at::kFloat).device(device));
  optimizer_ = make_optimizer_(optimized_parameters());
  for (const auto& [name, value] : saved) optimizer_->load_state(name, value);
  forget_graphs();
}

void Trainer::set_data_parallel(std::shared_ptr<DataParallel> data_parallel) {
  // ZeRO-1 ranks would each see inf/NaN in their own shard only and could disagree on skipping a step.
  require(!(scaler_ && data_parallel->strategy() == Strategy::Zero1),
          "float16 loss scaling with ZeRO-1 is not supported; use bfloat16 or the ddp strategy");
  data_parallel_ = std::move(data_parallel);
  // ZeRO-1: optimizer state only for the parameters this rank updates.
  optimizer_ = make_optimizer_(optimized_parameters());
  forget_graphs();
}

fdl_compile_stats Trainer::compile_stats() const {
  fdl_compile_stats stats{};
  if (captured_) stats = {captured_->graphs(), captured_->replays(), captured_->eager_steps(), 0, 0, 0, 0};
  if (frozen_) {
    stats.frozen_copies = frozen_->builds();
    stats.frozen_ms = frozen_->frozen_ms();
    stats.eager_ms = frozen_->eager_ms();
    stats.frozen_difference = frozen_->max_difference();
  }
  return stats;
}

void Trainer::use_optimizer(MakeOptimizer make) {
  make_optimizer_ = std::move(make);
  optimizer_ = make_optimizer_(optimized_parameters());
  forget_graphs();
}

// Ludwig's freeze_layers_regex: re.search of the pattern in each parameter's name.
std::vector<at::Tensor> Trainer::unfrozen(const char* layers_to_freeze_regex) const {
  std::vector<at::Tensor> trainable;
  std::string pattern = layers_to_freeze_regex ? layers_to_freeze_regex : "";
  if (pattern.empty()) {
    for (const auto& [name, p] : buildable_) trainable.push_back(p);
    return trainable;
  }
  std::regex regex;
  try {
    regex = std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    fail(FDL_ERR_INVALID_ARGUMENT, "trainer.layers_to_freeze_regex '" + pattern + "' is not a valid regular expression: " + e.what());
  }
  for (const auto& [name, p] : buildable_) {
    if (!std::regex_search(name, regex)) trainable.push_back(p);
  }
  // As in Ludwig, matching only an untrainable encoder's parameters is a match (they stay frozen).
  bool matched = trainable.size() < buildable_.size();
  auto all = model_->named_parameters();
  for (const auto& p : all) matched = matched || std::regex_search(p.key(), regex);
  require(matched, "trainer.layers_to_freeze_regex '" + pattern + "' matches no parameter name; names look like '" +
                       (all.is_empty() ? std::string("(none)") : all.keys().front()) + "'");
  return trainable;
}

std::vector<at::Tensor> Trainer::optimized_parameters() const {
  return data_parallel_ ? data_parallel_->updated_parameters() : trainable_;
}

// Tensors moved to the model's device (non-blocking: from page-locked host memory on CUDA).
std::vector<at::Tensor> Trainer::on_device(std::vector<at::Tensor> tensors) const {
  for (auto& t : tensors) {
    if (t.device() != device_) t = t.to(device_, /*non_blocking=*/true);
  }
  return tensors;
}

// set_to_none: the first backward writes gradients instead of adding to zeros; later micro-batches add.
void Trainer::zero_gradients() {
  for (const auto& p : trainable_) p.mutable_grad().reset();
}

AutocastGuard Trainer::autocast() const {
  return AutocastGuard(precision_ != FDL_PRECISION_FLOAT32, device_.type(),
                       precision_ == FDL_PRECISION_FLOAT16 ? at::kHalf : at::kBFloat16);
}

std::string Trainer::why_not_captured() const {
  if (!device_.is_cuda()) return "the model is on the CPU; CUDA graphs need a CUDA device";
  if (scaler_) return "float16 loss scaling decides on the host whether to step; use bfloat16 to capture";
  if (data_parallel_) return "data-parallel steps exchange gradients between processes";
  if (gradient_checkpointing_) return "gradient checkpointing sets the RNG state on the host in backward";
  if (!optimizer_->capturable()) return "the optimizer has no capturable step (adam/adamw with LibTorch >= 2.4 has)";
  return "";
}

std::string Trainer::why_not_frozen() const {
  if (device_.is_cuda()) return "on CUDA the train step is captured instead";
  if (precision_ != FDL_PRECISION_FLOAT32) return "mixed precision autocast does not apply inside TorchScript";
  return FrozenForward::why_not(*model_);
}

std::string Trainer::compile_report() const {
  if (!compile_) return "eager";
  if (captured_) {
    return "each input shape's whole train step (forward, loss, backward, clipping, optimizer) is captured as a "
           "CUDA graph after 3 eager warm-up steps and replayed; text inputs are padded to power-of-two length "
           "buckets; up to 8 graphs, further shapes run eager";
  }
  std::string why = why_not_captured();
  if (why.empty()) why = "this LibTorch build has no CUDA graphs";
  std::string why_eval = why_not_frozen();
  return "training eager (" + why + "); evaluation and prediction " +
         (why_eval.empty() ? "run a frozen TorchScript copy of the model where the first batch shows it faster "
                             "(remade after the weights change)"
                           : "eager (" + why_eval + ")");
}

// Captured graphs hold the tensors of the optimizer, precision and device they were made with:
// any change of those makes new ones.
void Trainer::forget_graphs() {
  captured_.reset();
  if (!compile_ || !why_not_captured().empty()) return;
  try {
    captured_ = std::make_unique<CapturedTrainStep>();
  } catch (const Failure&) {
    // No CUDA graphs in this LibTorch: the step stays eager (the compile report says why).
  }
}

}  // namespace fdl
