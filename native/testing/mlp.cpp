// The multi-layer perceptron: the smallest trainable model, driven through the same path as the
// real ones (one native call per batch: zero grads, forward, loss, backward, optimizer step).
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/functional/loss.h>
#include <ATen/Context.h>

#include <cmath>

#include "optim/adam.h"
#include "abi/api_guard.h"
#include "abi/tensor_handle.h"
#include "fidelio_testing.h"

namespace fdl {

struct MlpImpl : torch::nn::Module {
  MlpImpl(int64_t in_features, const std::vector<int64_t>& hidden, int64_t out_features) {
    int64_t width = in_features;
    for (int64_t h : hidden) {
      layers->push_back(torch::nn::Linear(width, h));
      width = h;
    }
    layers->push_back(torch::nn::Linear(width, out_features));
    register_module("layers", layers);
  }

  // x: [batch, in_features] -> [batch, out_features]
  at::Tensor forward(at::Tensor x) {
    for (size_t i = 0; i < layers->size(); ++i) {
      x = layers[i]->as<torch::nn::Linear>()->forward(x);
      if (i + 1 < layers->size()) x = at::relu(x);
    }
    return x;
  }

  torch::nn::ModuleList layers;
};
TORCH_MODULE(Mlp);

}  // namespace fdl

struct fdl_mlp {
  fdl::Mlp module;
  int32_t loss;
  int64_t in_features;
  int64_t out_features;
  at::ScalarType dtype;
  std::unique_ptr<fdl::MultiTensorAdam> optimizer;
};

namespace fdl {
namespace {

fdl_mlp* mlp_of(const fdl_mlp* handle, const char* argument = "mlp") {
  check_handle(handle, HandleKind::Mlp, argument);
  return const_cast<fdl_mlp*>(handle);
}

at::Tensor checked_input(const fdl_mlp& m, const fdl_tensor* x) {
  const at::Tensor& input = tensor_of(x, "x");
  require(input.dim() == 2 && input.size(1) == m.in_features,
          "x must have shape [batch, " + std::to_string(m.in_features) + "], got " + shape_string(input.sizes()));
  require(input.size(0) > 0, "x has an empty batch");
  return input.to(m.dtype);
}

at::Tensor loss_of(fdl_mlp& m, const fdl_tensor* x, const fdl_tensor* y) {
  at::Tensor input = checked_input(m, x);
  const at::Tensor& target = tensor_of(y, "y");
  int64_t batch = input.size(0);
  at::Tensor output = m.module->forward(input);
  if (m.loss == FDL_LOSS_CROSS_ENTROPY) {
    require(target.dim() == 1 && target.size(0) == batch && target.scalar_type() == at::kLong,
            "y must be int64 class ids of shape [" + std::to_string(batch) + "], got " +
                c10::toString(target.scalar_type()) + " " + shape_string(target.sizes()));
    int64_t lo = target.min().item<int64_t>(), hi = target.max().item<int64_t>();
    require(lo >= 0 && hi < m.out_features, "class ids must lie in [0, " + std::to_string(m.out_features) +
                                                 "), got values from " + std::to_string(lo) + " to " +
                                                 std::to_string(hi));
    return torch::nn::functional::cross_entropy(output, target);
  }
  require(target.dim() == 2 && target.size(0) == batch && target.size(1) == m.out_features,
          "y must have shape [" + std::to_string(batch) + ", " + std::to_string(m.out_features) + "], got " +
              shape_string(target.sizes()));
  return torch::nn::functional::mse_loss(output, target.to(output.scalar_type()));
}

}  // namespace
}  // namespace fdl

using namespace fdl;

extern "C" {

int32_t fdl_mlp_new(int64_t in_features, const int64_t* hidden, int32_t n_hidden, int64_t out_features, int32_t loss,
                    int32_t dtype, uint64_t seed, fdl_mlp** out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    require(in_features > 0 && out_features > 0, "in_features and out_features must be positive, got " +
                                                     std::to_string(in_features) + " and " +
                                                     std::to_string(out_features));
    require(n_hidden >= 0 && (n_hidden == 0 || hidden != nullptr), "hidden is NULL but n_hidden is " +
                                                                         std::to_string(n_hidden));
    std::vector<int64_t> widths(hidden, hidden + n_hidden);
    for (int64_t w : widths) require(w > 0, "hidden widths must be positive, got " + std::to_string(w));
    require(loss == FDL_LOSS_CROSS_ENTROPY || loss == FDL_LOSS_MSE,
            "unknown loss " + std::to_string(loss) + " (expected FDL_LOSS_CROSS_ENTROPY or FDL_LOSS_MSE)");
    at::ScalarType type = to_scalar_type(dtype);
    require(type == at::kFloat || type == at::kDouble, "MLP parameters must be FLOAT32 or FLOAT64");

    at::manual_seed(seed);
    auto handle = std::make_unique<fdl_mlp>(fdl_mlp{Mlp(in_features, widths, out_features), loss, in_features,
                                                    out_features, type, nullptr});
    handle->module->to(type);
    handle->module->train();
    handle->optimizer = std::make_unique<MultiTensorAdam>(handle->module->parameters(), AdamOptions{});
    register_handle(handle.get(), HandleKind::Mlp, handle->module.ptr().get());
    *out = handle.release();
  });
}

int32_t fdl_mlp_free(fdl_mlp* mlp) { return free_handle(mlp, HandleKind::Mlp); }

int32_t fdl_mlp_set_adamw(fdl_mlp* mlp, double beta1, double beta2, double eps, double weight_decay, char* err,
                          size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_mlp* m = mlp_of(mlp);
    require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1,
            "betas must lie in [0, 1), got " + std::to_string(beta1) + ", " + std::to_string(beta2));
    require(eps > 0 && weight_decay >= 0, "eps must be > 0 and weight_decay >= 0, got " + std::to_string(eps) +
                                              ", " + std::to_string(weight_decay));
    m->optimizer->options() = AdamOptions{beta1, beta2, eps, weight_decay, /*decoupled=*/true};
  });
}

int32_t fdl_mlp_train_step(fdl_mlp* mlp, const fdl_tensor* x, const fdl_tensor* y, double learning_rate,
                           double* loss_out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_mlp* m = mlp_of(mlp);
    require_out(loss_out, "loss_out");
    require(std::isfinite(learning_rate) && learning_rate >= 0,
            "learning rate must be finite and >= 0, got " + std::to_string(learning_rate));
    m->module->train();
    m->module->zero_grad(/*set_to_none=*/true);
    at::Tensor loss = loss_of(*m, x, y);
    loss.backward();
    m->optimizer->step(learning_rate);
    *loss_out = loss.item<double>();
  });
}

int32_t fdl_mlp_loss(fdl_mlp* mlp, const fdl_tensor* x, const fdl_tensor* y, int32_t compute_gradients,
                     double* loss_out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_mlp* m = mlp_of(mlp);
    require_out(loss_out, "loss_out");
    if (compute_gradients == 0) {
      c10::NoGradGuard no_grad;
      *loss_out = loss_of(*m, x, y).item<double>();
      return;
    }
    m->module->zero_grad(/*set_to_none=*/true);
    at::Tensor loss = loss_of(*m, x, y);
    loss.backward();
    *loss_out = loss.item<double>();
  });
}

int32_t fdl_mlp_forward(fdl_mlp* mlp, const fdl_tensor* x, fdl_tensor** out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    fdl_mlp* m = mlp_of(mlp);
    require_out(out, "out");
    c10::NoGradGuard no_grad;
    m->module->eval();
    at::Tensor output = m->module->forward(checked_input(*m, x));
    m->module->train();
    *out = new_tensor_handle(output);
  });
}

}  // extern "C"
