#include "nn/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>
#include <ATen/core/Generator.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/custom_function.h>

#include <mutex>
#include <vector>

#include "optim/mixed_precision.h"

namespace fdl {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The generators a layer on device draws dropout masks from: the CPU's and, on CUDA, the device's.
std::vector<at::Generator> generators(const at::Device& device) {
  std::vector<at::Generator> out{at::detail::getDefaultCPUGenerator()};
  if (device.is_cuda()) out.push_back(at::globalContext().defaultGenerator(device));
  return out;
}

std::vector<at::Tensor> states(std::vector<at::Generator>& generators) {
  std::vector<at::Tensor> out;
  for (auto& g : generators) {
    std::lock_guard<std::mutex> lock(g.mutex());
    out.push_back(g.get_state());
  }
  return out;
}

void restore(std::vector<at::Generator>& generators, const std::vector<at::Tensor>& states) {
  for (size_t i = 0; i < generators.size(); ++i) {
    std::lock_guard<std::mutex> lock(generators[i].mutex());
    generators[i].set_state(states[i]);
  }
}

// The forward's RNG states while alive; the generators' own states again afterwards, so the
// recomputation draws nothing from the rest of training's random stream.
class ReplayedRandomness {
 public:
  ReplayedRandomness(const at::Device& device, const std::vector<at::Tensor>& forward_states)
      : generators_(generators(device)), own_(states(generators_)) {
    restore(generators_, forward_states);
  }
  ~ReplayedRandomness() { restore(generators_, own_); }
  ReplayedRandomness(const ReplayedRandomness&) = delete;
  ReplayedRandomness& operator=(const ReplayedRandomness&) = delete;

 private:
  std::vector<at::Generator> generators_;
  std::vector<at::Tensor> own_;
};

// The layer and how to run it travel as integers: saved_data holds IValues only.
struct Checkpointed : torch::autograd::Function<Checkpointed> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& context, int64_t layer,
                            int64_t run) {
    auto device_generators = generators(x.device());
    ctx->saved_data["rng"] = states(device_generators);
    at::DeviceType type = x.device().type();
    ctx->saved_data["autocast"] = at::autocast::is_autocast_enabled(type);
    ctx->saved_data["autocast_dtype"] = static_cast<int64_t>(at::autocast::get_autocast_dtype(type));
    ctx->saved_data["layer"] = layer;
    ctx->saved_data["run"] = run;
    ctx->save_for_backward({x, context});
    // Function::apply runs this without autograd: nothing inside the layer is kept.
    return reinterpret_cast<LayerForward>(run)(*reinterpret_cast<torch::nn::Module*>(layer), x, context);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    variable_list saved = ctx->get_saved_variables();
    at::Tensor x = saved[0].detach().requires_grad_(true);
    // A context computed from parameters (MPNet's relative position bias) gets its gradient too.
    at::Tensor context = saved[1];
    bool context_needs_grad = context.defined() && context.requires_grad();
    if (context_needs_grad) context = context.detach().requires_grad_(true);
    at::Tensor output;
    {
      ReplayedRandomness replay(x.device(), ctx->saved_data["rng"].toTensorVector());
      AutocastGuard autocast(ctx->saved_data["autocast"].toBool(), x.device().type(),
                             static_cast<at::ScalarType>(ctx->saved_data["autocast_dtype"].toInt()));
      at::AutoGradMode grad_mode(true);
      auto run = reinterpret_cast<LayerForward>(ctx->saved_data["run"].toInt());
      output = run(*reinterpret_cast<torch::nn::Module*>(ctx->saved_data["layer"].toInt()), x, context);
    }
    torch::autograd::backward({output}, {grads[0]});
    return {x.grad(), context_needs_grad ? context.grad() : at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor checkpoint(torch::nn::Module& layer, LayerForward forward, const at::Tensor& x, const at::Tensor& context) {
  if (!at::GradMode::is_enabled() || !x.requires_grad()) return forward(layer, x, context);
  return Checkpointed::apply(x, context, reinterpret_cast<int64_t>(&layer), reinterpret_cast<int64_t>(forward));
}

}  // namespace fdl
