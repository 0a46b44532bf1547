// Output losses against Ludwig 0.10's formulas: each value and its gradient with respect to the
// logits, within 1e-6 relative, from tests/reference/ludwig_losses.py (float64 PyTorch written from
// ludwig/modules/loss_modules.py, ludwig/utils/loss_utils.py, torchmetrics' MAPE and
// ludwig/modules/loss_implementations/corn.py).
#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "check.h"
#include "ecd/output_features.h"

using namespace fdl;

namespace {

struct Reference {
  const char* name;
  double value;
  std::vector<double> gradient;
};

// Runs loss on logits (float, as the heads compute) and compares value and gradient; gradients
// relative to their largest entry, so a tiny entry next to a huge one is held to the same scale.
void expect_matches(const Reference& ref, const std::vector<float>& logits,
                    const std::function<at::Tensor(const at::Tensor&)>& loss) {
  at::Tensor x = at::tensor(logits, at::kFloat).requires_grad_(true);
  at::Tensor value = loss(x);
  value.backward();
  double got = value.item<double>();
  EXPECT(std::abs(got - ref.value) <= 1e-6 * std::abs(ref.value), "%s: %.9g, Ludwig %.9g", ref.name, got, ref.value);
  double scale = 0;
  for (double g : ref.gradient) scale = std::max(scale, std::abs(g));
  at::Tensor grad = x.grad().to(at::kDouble);
  for (size_t i = 0; i < ref.gradient.size(); ++i) {
    double g = grad[static_cast<int64_t>(i)].item<double>();
    EXPECT(std::abs(g - ref.gradient[i]) <= 1e-6 * scale, "%s: gradient[%zu] %.9g, Ludwig %.9g", ref.name, i, g,
           ref.gradient[i]);
  }
}

const std::vector<float> kPredicted = {1.0f, 2.0f, 4.0f, -0.5f};
const std::vector<float> kTarget = {0.5f, 2.5f, 1.0f, -2.0f};
const std::vector<float> kZeroTarget = {0.0f, 4.0f};

void number_loss(NumberLoss type, double delta, const Reference& ref, const std::vector<float>& target) {
  NumberOutput head(4, type, delta);
  std::vector<float> predicted(kPredicted.begin(), kPredicted.begin() + target.size());
  expect_matches(ref, predicted, [&](const at::Tensor& x) { return head.loss(x, at::tensor(target, at::kFloat)); });
}

void number_losses() {
  number_loss(FDL_NUMBER_LOSS_MAPE, 1, {"mape", 1.2375, {0.5, -0.1, 0.25, 0.125}}, kTarget);
  number_loss(FDL_NUMBER_LOSS_RMSPE, 1,
              {"rmspe", 1.6280740155164937,
               {0.30711134459165174, -0.01228445378366607, 0.4606670168874776, 0.0575833771109347}},
              kTarget);
  number_loss(FDL_NUMBER_LOSS_MAPE, 1, {"mape zero target", 427350.6773504273, {427350.4273504273, -0.125}},
              kZeroTarget);
  number_loss(FDL_NUMBER_LOSS_RMSPE, 1,
              {"rmspe zero target", 7071.06782070431, {7071.06780302664, -8.8388347537833e-06}}, kZeroTarget);
  number_loss(FDL_NUMBER_LOSS_HUBER, 1, {"huber delta 1", 0.9375, {0.125, -0.125, 0.25, 0.25}}, kTarget);
  number_loss(FDL_NUMBER_LOSS_HUBER, 2.5, {"huber delta 2.5", 1.4375, {0.125, -0.125, 0.625, 0.375}}, kTarget);
}

const std::vector<float> kLogits = {0.25f, -1.5f, 2.0f, 0.0f};

void binary_loss(double positive_class_weight, double robust_lambda, double penalty, const Reference& ref) {
  BinaryOutput head(4, positive_class_weight, robust_lambda, penalty);
  at::Tensor labels = at::tensor({1.0f, 0.0f, 0.0f, 1.0f});
  expect_matches(ref, kLogits, [&](const at::Tensor& x) { return head.loss(x, labels); });
}

void binary_confidence_penalty() {
  binary_loss(1, 0, 0.75,
              {"bwcew penalty 0.75", 1.2743569723661285,
               {-0.10945587477855048, 0.04560638095158909, 0.22019926949447058, -0.04199467983331934}});
  binary_loss(1.5, 0.25, 0.5,
              {"bwcew lambda 0.25 penalty 0.5 weight 1.5", 1.0434945980657329,
               {-0.1231378591258693, 0.034204785713691815, 0.16514945212085294, -0.08528811988887958}});
}

void corn() {
  CategoryOutput head(4, 4, {}, FDL_CATEGORY_LOSS_CORN);
  std::vector<float> logits = {0.5f, -0.25f, 1.0f, 0.75f, 2.0f, 0.5f,  -1.0f, -0.5f, 1.5f, 1.0f,
                               0.25f, 2.0f, -0.5f, 3.0f, 1.0f, 0.0f, 1.0f,  1.0f,  -2.0f, 0.5f};
  at::Tensor classes = at::tensor({0, 1, 2, 3, 2}, at::kLong);
  expect_matches({"corn", 0.4587561478445412,
                  {0.051871610933487876, 0.0, 0.0, 0.0, -0.009933576835176462, 0.051871610933487876, 0.0, 0.0,
                   -0.015202126983863026, -0.022411785114166256, 0.046848041740483175, 0.0, -0.05187161093348787,
                   -0.003952156098130565, -0.022411785114166256, 0.0, -0.022411785114166256,
                   -0.022411785114166256, 0.00993357683517647, 0.0}},
                 logits, [&](const at::Tensor& x) { return head.loss(x.view({5, 4}), classes); });
  // Ludwig's _CategoryPredict with use_cumulative_probs: cumprod of the sigmoids, never increasing
  at::Tensor probabilities = head.prediction(at::tensor(logits).view({5, 4}));
  at::Tensor expected = at::cumprod(at::sigmoid(at::tensor(logits, at::kDouble).view({5, 4})), 1);
  EXPECT(probabilities.to(at::kDouble).allclose(expected, 1e-6, 0), "corn probabilities are cumulative products");
  EXPECT(probabilities.diff(1, 1).le(0).all().item<bool>(), "corn probabilities never rise with the class");
}

}  // namespace

int main() {
  number_losses();
  binary_confidence_penalty();
  corn();
  EXPECT_REPORT();
}
