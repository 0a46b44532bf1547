// Output features of the ECD model: a decoder head on the combiner output, its loss, and the
// prediction it reports (Ludwig's category, binary and number outputs).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

#include <vector>

#include "fidelio.h"
#include "nn/fc_stack.h"

namespace fdl {

struct OutputFeature : torch::nn::Module {
  // logits for the combiner output [B, D]
  virtual at::Tensor forward(const at::Tensor& combined) = 0;
  // the (unweighted) loss of logits against target
  virtual at::Tensor loss(const at::Tensor& logits, const at::Tensor& target) = 0;
  // what predict returns: probabilities [B, C] (category), probability [B] (binary), value [B] (number)
  virtual at::Tensor prediction(const at::Tensor& logits) = 0;
  // Checks that read target values, on the host batch (see InputEncoder::check_values).
  virtual void check_target_values(const at::Tensor& target) const {}
  double loss_weight = 1.0;
  // The decoder's fc layers (Ludwig's decoder fc_layers) between the combiner and this head: the
  // model runs them before forward(); null without layers.
  FcStack fc_stack{nullptr};
};

using CategoryLoss = fdl_category_loss;  // the C ABI's FDL_CATEGORY_LOSS_*

// Softmax cross-entropy over num_classes, optional per-class weights; or Ludwig's corn (ordinal) on
// the same num_classes logits, as Ludwig 0.10 keeps the classifier's size for it. Target: int64 class
// ids [B].
struct CategoryOutput : OutputFeature {
  CategoryOutput(int64_t input_size, int64_t num_classes, std::vector<float> class_weights,
                 CategoryLoss loss_type = FDL_CATEGORY_LOSS_SOFTMAX_CROSS_ENTROPY);
  at::Tensor forward(const at::Tensor& combined) override;
  at::Tensor loss(const at::Tensor& logits, const at::Tensor& target) override;
  at::Tensor prediction(const at::Tensor& logits) override;
  void check_target_values(const at::Tensor& target) const override;

  int64_t num_classes;
  CategoryLoss loss_type;
  at::Tensor class_weights;  // [C] or undefined
  torch::nn::Linear dense{nullptr};
};

// Binary cross-entropy on one logit, optional positive_class_weight, as Ludwig's BWCEWLoss: the
// cross-entropy scaled by 1 - robust_lambda (its constant robust_lambda / 2 left out: it moves no
// gradient) plus confidence_penalty times mean_confidence_penalty. Target: float 0/1 [B].
struct BinaryOutput : OutputFeature {
  BinaryOutput(int64_t input_size, double positive_class_weight, double robust_lambda = 0,
               double confidence_penalty = 0);
  at::Tensor forward(const at::Tensor& combined) override;
  at::Tensor loss(const at::Tensor& logits, const at::Tensor& target) override;
  at::Tensor prediction(const at::Tensor& logits) override;

  double positive_class_weight;
  double robust_lambda;
  double confidence_penalty;
  torch::nn::Linear dense{nullptr};
};

// Ludwig 0.10's mean_confidence_penalty (ludwig/utils/loss_utils.py) of probabilities [B] over
// num_classes: (log C - H) / log C where H is the largest -p log p over the batch, as its max over
// dim 0 takes it (not a per-row entropy).
at::Tensor mean_confidence_penalty(const at::Tensor& probabilities, int64_t num_classes);

// Ludwig 0.10's corn_loss (loss_implementations/corn.py) of logits [B, C] against class ids [B]: task
// k < C - 1 (logit column k) sees the rows whose class is >= k and learns "class > k"; the summed
// binary cross-entropies over the number of (row, task) pairs. Column C - 1 is in no task.
at::Tensor corn_loss(const at::Tensor& logits, const at::Tensor& target);

// Ludwig's corn probabilities: the cumulative products of the sigmoids, P(class > k) [B, C].
at::Tensor corn_probabilities(const at::Tensor& logits);

using NumberLoss = fdl_number_loss;  // the C ABI's FDL_NUMBER_LOSS_*

// Regression on one value; the loss is Ludwig's mean_squared_error, mean_absolute_error,
// root_mean_squared_error, mean_absolute_percentage_error, root_mean_squared_percentage_error or
// huber (with huber_delta). Target: float [B].
struct NumberOutput : OutputFeature {
  NumberOutput(int64_t input_size, NumberLoss loss_type, double huber_delta = 1.0);
  at::Tensor forward(const at::Tensor& combined) override;
  at::Tensor loss(const at::Tensor& logits, const at::Tensor& target) override;
  at::Tensor prediction(const at::Tensor& logits) override;

  NumberLoss loss_type;
  double huber_delta;
  torch::nn::Linear dense{nullptr};
};

}  // namespace fdl
