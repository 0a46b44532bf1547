#include "ecd/frozen_forward.h"

#include <torch/csrc/jit/api/module.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <mutex>

#include "core/failure.h"
#include "core/weights_version.h"
#include "ecd/torchscript_module.h"

namespace fdl {
namespace {

// The module's forward takes inputs by feature name (torchscript_export.h): text ids and mask,
// one tensor for every other input.
c10::Dict<std::string, at::Tensor> inputs_by_name(const EcdModelImpl& model,
                                                  const std::vector<at::Tensor>& feature_tensors) {
  c10::Dict<std::string, at::Tensor> inputs;
  size_t next = 0;
  for (size_t i = 0; i < model.inputs.size(); ++i) {
    const std::string& name = model.input_names[i];
    inputs.insert(name, feature_tensors.at(next++));
    if (std::dynamic_pointer_cast<TextInput>(model.inputs[i])) {
      inputs.insert(name + "_attention_mask", feature_tensors.at(next++));
    }
  }
  return inputs;
}

// One warm-up run, then the median of three, in milliseconds.
template <class Run>
double median_ms(Run run) {
  run();
  std::vector<double> times;
  for (int i = 0; i < 3; ++i) {
    auto start = std::chrono::steady_clock::now();
    run();
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return std::max(times[1], 1e-6);
}

}  // namespace

struct FrozenForward::State {
  mutable std::mutex lock;
  std::shared_ptr<torch::jit::Module> frozen;  // shared: a caller keeps its copy while another is made
  uint64_t made_at = 0;
  int64_t builds = 0;
  double frozen_ms = 0, eager_ms = 0;  // measured on the first batch
  double max_difference = 0;           // of its logits, relative to their largest magnitude
};

FrozenForward::FrozenForward() : state_(std::make_unique<State>()) {}
FrozenForward::~FrozenForward() = default;

std::string FrozenForward::why_not(const EcdModelImpl& model) {
  for (size_t i = 0; i < model.inputs.size(); ++i) {
    auto cacheable = std::dynamic_pointer_cast<CacheableInput>(model.inputs[i]);
    if (std::dynamic_pointer_cast<EmbeddingInput>(model.inputs[i]) || (cacheable && cacheable->use_cached_embeddings)) {
      return "input feature '" + model.input_names[i] + "' takes precomputed embeddings";
    }
  }
  return "";
}

std::vector<at::Tensor> FrozenForward::forward(EcdModelImpl& model, const std::vector<at::Tensor>& feature_tensors) {
  std::shared_ptr<torch::jit::Module> frozen;
  auto run_frozen = [&](const torch::jit::Module& module) {
    auto out = const_cast<torch::jit::Module&>(module).forward({inputs_by_name(model, feature_tensors)}).toGenericDict();
    std::vector<at::Tensor> logits;
    for (const auto& name : model.output_names) logits.push_back(out.at(name + "_logits").toTensor());
    return logits;
  };
  {
    std::lock_guard<std::mutex> guard(state_->lock);
    if (state_->eager_ms > 0 && state_->eager_ms <= state_->frozen_ms) return model.forward(feature_tensors);
    uint64_t now = weights_version();
    if (!state_->frozen || state_->made_at != now) {
      torch::jit::Module scripted = scripted_ecd(model, std::vector<double>(model.outputs.size(), 0.5));
      scripted.eval();
      torch::jit::Module made = torch::jit::freeze(scripted);
      try {
        made = torch::jit::optimize_for_inference(made);
      } catch (const c10::Error&) {
        // Fusions this LibTorch cannot apply to the graph: the frozen graph alone still runs.
      }
      state_->frozen = std::make_shared<torch::jit::Module>(std::move(made));
      state_->made_at = now;
      ++state_->builds;
    }
    frozen = state_->frozen;
    if (state_->eager_ms == 0) {
      std::vector<at::Tensor> frozen_logits, eager_logits;
      state_->frozen_ms = median_ms([&] { frozen_logits = run_frozen(*frozen); });
      state_->eager_ms = median_ms([&] { eager_logits = model.forward(feature_tensors); });
      for (size_t i = 0; i < eager_logits.size(); ++i) {
        double scale = std::max(1.0, eager_logits[i].abs().max().item<double>());
        state_->max_difference = std::max(
            state_->max_difference, (frozen_logits[i] - eager_logits[i]).abs().max().item<double>() / scale);
      }
      // A copy that answers differently (beyond float rounding of refolded weights) never serves.
      if (!(state_->max_difference <= 1e-4)) state_->frozen_ms = std::numeric_limits<double>::infinity();
      if (state_->eager_ms <= state_->frozen_ms) {
        state_->frozen.reset();  // not faster here: the eager modules serve, the copy is not kept
        return model.forward(feature_tensors);
      }
    }
  }
  return run_frozen(*frozen);
}

double FrozenForward::frozen_ms() const {
  std::lock_guard<std::mutex> guard(state_->lock);
  return state_->frozen_ms;
}

double FrozenForward::max_difference() const {
  std::lock_guard<std::mutex> guard(state_->lock);
  return state_->max_difference;
}

double FrozenForward::eager_ms() const {
  std::lock_guard<std::mutex> guard(state_->lock);
  return state_->eager_ms;
}

int64_t FrozenForward::builds() const {
  std::lock_guard<std::mutex> guard(state_->lock);
  return state_->builds;
}

}  // namespace fdl
