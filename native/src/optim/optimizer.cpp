#include "optim/optimizer.h"

namespace fdl {

size_t state_index(const std::string& name, const std::string& prefix, size_t count) {
  TORCH_CHECK(name.rfind(prefix, 0) == 0, "unknown optimizer state entry '", name, "'");
  size_t index = 0;
  try {
    index = std::stoul(name.substr(prefix.size()));
  } catch (const std::exception&) {
    TORCH_CHECK(false, "unknown optimizer state entry '", name, "'");
  }
  TORCH_CHECK(index < count, "optimizer state entry '", name, "' is beyond the ", count, " parameters");
  return index;
}

std::vector<bool> weight_decay_mask(const std::vector<at::Tensor>& params, bool exclude_bias_and_norm) {
  std::vector<bool> mask;
  for (const auto& p : params) mask.push_back(!exclude_bias_and_norm || p.dim() >= 2);
  return mask;
}

StepGroup with_gradients(const std::vector<at::Tensor>& params, const std::vector<bool>& mask, bool decayed) {
  StepGroup group;
  for (size_t i = 0; i < params.size(); ++i) {
    const at::Tensor& grad = params[i].grad();
    if (!grad.defined() || mask[i] != decayed) continue;
    group.params.push_back(params[i]);
    group.grads.push_back(grad);
    group.indices.push_back(i);
  }
  return group;
}

}  // namespace fdl
