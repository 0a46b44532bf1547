// The multi-tensor optimizers and gradient clipping against LibTorch's own torch::optim and
// torch::nn::utils on the same parameters and gradients. ctest runs one case per argument.
#include <torch/types.h>  // clip_grad.h is not self-contained in 1.13
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>
#include <ATen/Context.h>

#include <cstring>
#include <functional>
#include <limits>
#include <cmath>
#include <map>
#include <string>
#include <memory>

#include "optim/adam.h"
#include "check.h"
#include "optim/gradient_clipping.h"
#include "optim/mixed_precision.h"
#include "optim/sgd.h"

namespace {

// Two copies of the same parameters: a matrix, a bias-like vector, a 3-D tensor, another vector.
struct Twins {
  std::vector<at::Tensor> ours, reference;
  Twins() {
    at::manual_seed(0);
    for (auto shape : {std::vector<int64_t>{7, 5}, {5}, {3, 2, 4}, {4}}) {
      at::Tensor init = at::randn(shape, at::kDouble);
      ours.push_back(init.clone().requires_grad_(true));
      reference.push_back(init.clone().requires_grad_(true));
    }
  }
  void set_random_grads() {
    for (size_t i = 0; i < ours.size(); ++i) {
      at::Tensor grad = at::randn(ours[i].sizes(), at::kDouble) * 3;
      ours[i].mutable_grad() = grad.clone();
      reference[i].mutable_grad() = grad.clone();
    }
  }
  double max_difference() const {
    double worst = 0;
    for (size_t i = 0; i < ours.size(); ++i) {
      worst = std::max(worst, (ours[i] - reference[i]).abs().max().item<double>());
    }
    return worst;
  }
  // torch param groups: decayed (two or more dimensions) and not, when excluding bias and norm
  std::vector<torch::optim::OptimizerParamGroup> groups(bool split) const {
    if (!split) return {torch::optim::OptimizerParamGroup(reference)};
    std::vector<at::Tensor> decayed, plain;
    for (const auto& p : reference) (p.dim() >= 2 ? decayed : plain).push_back(p);
    return {torch::optim::OptimizerParamGroup(decayed), torch::optim::OptimizerParamGroup(plain)};
  }
};

// Runs ten steps at a varying learning rate (a schedule) through both optimizers.
template <class Options>
void run_steps(Twins& twins, fdl::Optimizer& ours, torch::optim::Optimizer& reference) {
  for (int step = 0; step < 10; ++step) {
    twins.set_random_grads();
    double lr = 1e-2 * (step + 1) / 10.0;
    ours.step(lr);
    for (auto& group : reference.param_groups()) static_cast<Options&>(group.options()).lr(lr);
    reference.step();
  }
}

void adamw(bool exclude_bias_and_norm) {
  Twins t;
  fdl::MultiTensorAdam ours(t.ours, {0.85, 0.99, 1e-6, 0.05, true},
                            fdl::weight_decay_mask(t.ours, exclude_bias_and_norm));
  torch::optim::AdamW reference(t.groups(exclude_bias_and_norm),
                                torch::optim::AdamWOptions(1e-2).betas({0.85, 0.99}).eps(1e-6).weight_decay(0.05));
  if (exclude_bias_and_norm) {
    static_cast<torch::optim::AdamWOptions&>(reference.param_groups()[1].options()).weight_decay(0);
  }
  run_steps<torch::optim::AdamWOptions>(t, ours, reference);
  EXPECT(t.max_difference() < 1e-12, "AdamW differs from torch::optim::AdamW by %g", t.max_difference());
}

void adam_l2() {
  Twins t;
  fdl::MultiTensorAdam ours(t.ours, {0.9, 0.999, 1e-8, 0.1, false});
  torch::optim::Adam reference(t.reference, torch::optim::AdamOptions(1e-2).weight_decay(0.1));
  run_steps<torch::optim::AdamOptions>(t, ours, reference);
  EXPECT(t.max_difference() < 1e-12, "Adam differs from torch::optim::Adam by %g", t.max_difference());
}

void sgd(double momentum, double dampening, bool nesterov, double weight_decay, bool exclude_bias_and_norm) {
  Twins t;
  fdl::MultiTensorSgd ours(t.ours, {momentum, dampening, weight_decay, nesterov},
                           fdl::weight_decay_mask(t.ours, exclude_bias_and_norm));
  torch::optim::SGD reference(t.groups(exclude_bias_and_norm), torch::optim::SGDOptions(1e-2)
                                                                   .momentum(momentum)
                                                                   .dampening(dampening)
                                                                   .nesterov(nesterov)
                                                                   .weight_decay(weight_decay));
  if (exclude_bias_and_norm) {
    static_cast<torch::optim::SGDOptions&>(reference.param_groups()[1].options()).weight_decay(0);
  }
  run_steps<torch::optim::SGDOptions>(t, ours, reference);
  EXPECT(t.max_difference() < 1e-12, "SGD(momentum %g, dampening %g, nesterov %d, wd %g) differs by %g", momentum,
         dampening, nesterov, weight_decay, t.max_difference());
}

void clipping() {
  for (int kind = 0; kind < 3; ++kind) {
    Twins t;
    t.set_random_grads();
    fdl::GradientClipping clip{};
    if (kind == 0) {
      clip.max_global_norm = 0.5;
      torch::nn::utils::clip_grad_norm_(t.reference, 0.5);
    } else if (kind == 1) {
      clip.max_norm = 2.0;  // above some gradients' norms: those stay unchanged
      for (auto& p : t.reference) torch::nn::utils::clip_grad_norm_(std::vector<at::Tensor>{p}, 2.0);
    } else {
      clip.max_value = 0.7;
      torch::nn::utils::clip_grad_value_(t.reference, 0.7);
    }
    fdl::clip_gradients(t.ours, clip);
    double worst = 0;
    for (size_t i = 0; i < t.ours.size(); ++i) {
      worst = std::max(worst, (t.ours[i].grad() - t.reference[i].grad()).abs().max().item<double>());
    }
    EXPECT(worst < 1e-12, "clipping kind %d differs from torch::nn::utils by %g", kind, worst);
  }
}

// float16 loss scaling (GradScaler's rules): clean gradients are unscaled and the step goes on; an inf or
// NaN anywhere skips the step and halves the scale; growth_interval clean steps in a row double it.
void loss_scaling() {
  fdl::DynamicLossScaler scaler(/*initial_scale=*/1024, /*growth_factor=*/2, /*backoff_factor=*/0.5,
                                /*growth_interval=*/3);
  Twins t;
  t.set_random_grads();
  std::vector<at::Tensor> expected;
  for (auto& p : t.ours) {
    expected.push_back(p.grad().clone());
    p.mutable_grad() = p.grad() * 1024;
  }
  EXPECT(scaler.unscale_and_check(t.ours), "finite gradients reported as non-finite");
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT(at::allclose(t.ours[i].grad(), expected[i], 1e-12, 1e-12), "gradient %zu not unscaled", i);
  }
  EXPECT(scaler.scale() == 1024 && scaler.skipped_steps() == 0, "scale %g after a clean step", scaler.scale());

  for (double bad : {std::numeric_limits<double>::infinity(), std::nan("")}) {
    t.set_random_grads();
    t.ours[2].mutable_grad().view(-1)[5] = bad;
    double before = scaler.scale();
    EXPECT(!scaler.unscale_and_check(t.ours), "a gradient holding %g was reported finite", bad);
    EXPECT(scaler.scale() == before / 2, "scale %g after a non-finite step (was %g)", scaler.scale(), before);
  }
  EXPECT(scaler.skipped_steps() == 2, "skipped steps %lld, expected 2", static_cast<long long>(scaler.skipped_steps()));

  double before = scaler.scale();
  for (int step = 1; step <= 3; ++step) {
    t.set_random_grads();
    EXPECT(scaler.unscale_and_check(t.ours), "clean step %d reported non-finite", step);
    double expected_scale = step < 3 ? before : before * 2;
    EXPECT(scaler.scale() == expected_scale, "scale %g after clean step %d, expected %g", scaler.scale(), step,
           expected_scale);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::function<void()>> cases = {
      {"adamw", [] { adamw(false); }},
      {"adamw_no_decay_on_bias_and_norm", [] { adamw(true); }},
      {"adam", adam_l2},
      {"sgd", [] {
         sgd(0, 0, false, 0, false);
         sgd(0.9, 0.1, false, 0.01, false);
         sgd(0.9, 0, true, 0.01, true);
       }},
      {"clipping", clipping},
      {"loss_scaling", loss_scaling},
  };
  EXPECT(argc == 2 && cases.count(argv[1]) == 1, "usage: fidelio_optimizers_test <case>");
  if (argc == 2 && cases.count(argv[1]) == 1) cases[argv[1]]();
  EXPECT_REPORT();
}
