#include "ecd/output_features.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/loss.h>

#include <cmath>

#include "core/failure.h"
#include "core/tensor_checks.h"

namespace F = torch::nn::functional;

namespace fdl {
namespace {

void require_batch(const at::Tensor& target, int64_t batch, const char* what) {
  require(target.dim() == 1 && target.size(0) == batch, std::string(what) + " target must have shape [" +
                                                            std::to_string(batch) + "], got " +
                                                            shape_string(target.sizes()));
}

}  // namespace

CategoryOutput::CategoryOutput(int64_t input_size, int64_t classes, std::vector<float> weights, CategoryLoss type)
    : num_classes(classes), loss_type(type) {
  require(num_classes >= 2, "a category output needs at least 2 classes, got " + std::to_string(num_classes));
  require(type == FDL_CATEGORY_LOSS_SOFTMAX_CROSS_ENTROPY || type == FDL_CATEGORY_LOSS_CORN,
          "unknown category loss code " + std::to_string(static_cast<int>(type)));
  require(type != FDL_CATEGORY_LOSS_CORN || weights.empty(), "corn takes no class_weights (Ludwig's has none)");
  if (!weights.empty()) {
    require(static_cast<int64_t>(weights.size()) == num_classes,
            "class_weights has " + std::to_string(weights.size()) + " entries for " + std::to_string(num_classes) +
                " classes");
    class_weights = register_buffer("class_weights", at::tensor(weights, at::kFloat));
  }
  dense = register_module("dense", torch::nn::Linear(input_size, num_classes));
}

at::Tensor CategoryOutput::forward(const at::Tensor& combined) { return dense->forward(combined); }

void CategoryOutput::check_target_values(const at::Tensor& target) const {
  require_ids_in_range(target, num_classes, "class ids");
}

at::Tensor CategoryOutput::loss(const at::Tensor& logits, const at::Tensor& target) {
  require_batch(target, logits.size(0), "category");
  require(target.scalar_type() == at::kLong, "category target must be int64 class ids");
  if (loss_type == FDL_CATEGORY_LOSS_CORN) return corn_loss(logits.to(at::kFloat), target);
  auto options = F::CrossEntropyFuncOptions();
  if (class_weights.defined()) options.weight(class_weights);
  return F::cross_entropy(logits.to(at::kFloat), target, options);
}

at::Tensor CategoryOutput::prediction(const at::Tensor& logits) {
  if (loss_type == FDL_CATEGORY_LOSS_CORN) return corn_probabilities(logits.to(at::kFloat));
  return at::softmax(logits.to(at::kFloat), 1);
}

at::Tensor corn_loss(const at::Tensor& logits, const at::Tensor& target) {
  int64_t tasks = logits.size(1) - 1;
  at::Tensor k = at::arange(tasks, target.options()), y = target.unsqueeze(1);
  at::Tensor in_task = y.ge(k).to(logits.dtype()), above = y.gt(k).to(logits.dtype());
  at::Tensor x = logits.slice(1, 0, tasks), log_p = F::logsigmoid(x);
  at::Tensor per_pair = (log_p * above + (log_p - x) * (1 - above)) * in_task;
  return -per_pair.sum() / in_task.sum();
}

at::Tensor corn_probabilities(const at::Tensor& logits) { return at::cumprod(at::sigmoid(logits), 1); }

BinaryOutput::BinaryOutput(int64_t input_size, double weight, double lambda, double penalty)
    : positive_class_weight(weight), robust_lambda(lambda), confidence_penalty(penalty) {
  require(weight > 0, "positive_class_weight must be positive, got " + std::to_string(weight));
  require(lambda >= 0 && lambda <= 1, "robust_lambda must be in [0, 1], got " + std::to_string(lambda));
  require(penalty >= 0 && std::isfinite(penalty), "confidence_penalty must be finite and >= 0, got " +
                                                      std::to_string(penalty));
  dense = register_module("dense", torch::nn::Linear(input_size, 1));
}

at::Tensor BinaryOutput::forward(const at::Tensor& combined) { return dense->forward(combined).squeeze(1); }

at::Tensor BinaryOutput::loss(const at::Tensor& logits, const at::Tensor& target) {
  require_batch(target, logits.size(0), "binary");
  auto options = F::BinaryCrossEntropyWithLogitsFuncOptions();
  if (positive_class_weight != 1.0) options.pos_weight(at::full({1}, positive_class_weight, at::kFloat));
  at::Tensor x = logits.to(at::kFloat);
  at::Tensor loss = F::binary_cross_entropy_with_logits(x, target.to(at::kFloat), options);
  if (robust_lambda > 0) loss = (1 - robust_lambda) * loss;
  if (confidence_penalty > 0) loss = loss + confidence_penalty * mean_confidence_penalty(at::sigmoid(x), 2);
  return loss;
}

at::Tensor mean_confidence_penalty(const at::Tensor& probabilities, int64_t num_classes) {
  double max_entropy = std::log(static_cast<double>(num_classes));
  at::Tensor per_class = -probabilities * at::log(at::clamp(probabilities, 1e-10, 1));
  at::Tensor entropy = std::get<0>(at::max(per_class, 0)).sum(-1);
  return ((max_entropy - entropy) / max_entropy).mean();
}

at::Tensor BinaryOutput::prediction(const at::Tensor& logits) { return at::sigmoid(logits.to(at::kFloat)); }

NumberOutput::NumberOutput(int64_t input_size, NumberLoss type, double delta) : loss_type(type), huber_delta(delta) {
  require(type >= FDL_NUMBER_LOSS_MSE && type <= FDL_NUMBER_LOSS_HUBER,
          "unknown number loss code " + std::to_string(static_cast<int>(type)));
  require(type != FDL_NUMBER_LOSS_HUBER || (delta > 0 && std::isfinite(delta)),
          "huber delta must be finite and > 0, got " + std::to_string(delta));
  dense = register_module("dense", torch::nn::Linear(input_size, 1));
}

at::Tensor NumberOutput::forward(const at::Tensor& combined) { return dense->forward(combined).squeeze(1); }

at::Tensor NumberOutput::loss(const at::Tensor& logits, const at::Tensor& target) {
  require_batch(target, logits.size(0), "number");
  at::Tensor y = target.to(at::kFloat), predicted = logits.to(at::kFloat);
  switch (loss_type) {
    case FDL_NUMBER_LOSS_MAE: return F::l1_loss(predicted, y);
    case FDL_NUMBER_LOSS_RMSE: return at::sqrt(F::mse_loss(predicted, y));
    // torchmetrics' mean_absolute_percentage_error: |target| below 1.17e-6 counts as 1.17e-6
    case FDL_NUMBER_LOSS_MAPE: return ((predicted - y).abs() / at::clamp_min(y.abs(), 1.17e-6)).mean();
    // Ludwig's rmspe_loss: a zero target divides by 1e-4 instead (a large loss, not inf)
    case FDL_NUMBER_LOSS_RMSPE: return at::sqrt((((y - predicted) / (y + 1e-4 * y.eq(0).to(y.dtype()))).pow(2)).mean());
    case FDL_NUMBER_LOSS_HUBER: return F::huber_loss(predicted, y, F::HuberLossFuncOptions().delta(huber_delta));
    case FDL_NUMBER_LOSS_MSE: break;
  }
  return F::mse_loss(predicted, y);
}

at::Tensor NumberOutput::prediction(const at::Tensor& logits) { return logits.to(at::kFloat); }

}  // namespace fdl
