// The state dict of any model handle (fdl_mlp, fdl_text_encoder, fdl_ecd): read, write and strict
// loading by name. One implementation for every model, reached through the handle registry.
#include <c10/core/GradMode.h>
#include <torch/nn/module.h>

#include <sstream>

#include "abi/api_guard.h"
#include "nn/state_dict.h"
#include "abi/tensor_handle.h"
#include "core/weights_version.h"
#include "core/module_dtype.h"

namespace fdl {
namespace {

NamedTensors state_of(torch::nn::Module& module) {
  NamedTensors state;
  for (const auto& item : module.named_parameters()) state.emplace_back(item.key(), item.value());
  for (const auto& item : module.named_buffers()) state.emplace_back(item.key(), item.value());
  return state;
}

std::pair<std::string, at::Tensor> state_at(const void* handle, int32_t index) {
  NamedTensors state = state_of(module_of_handle(handle, "module"));
  require(index >= 0 && index < static_cast<int32_t>(state.size()),
          "state index " + std::to_string(index) + " out of range [0, " + std::to_string(state.size()) + ")");
  return state[index];
}

// "cls., pooler." -> {"cls.", "pooler."}: comma-separated, surrounding blanks ignored.
std::vector<std::string> split_prefixes(const char* list) {
  std::vector<std::string> prefixes;
  if (list == nullptr) return prefixes;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    size_t first = item.find_first_not_of(" \t"), last = item.find_last_not_of(" \t");
    if (first != std::string::npos) prefixes.push_back(item.substr(first, last - first + 1));
  }
  return prefixes;
}

}  // namespace
}  // namespace fdl

using namespace fdl;

extern "C" {

int32_t fdl_module_state_count(const void* module, int32_t* out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    *out = static_cast<int32_t>(state_of(module_of_handle(module, "module")).size());
  });
}

int32_t fdl_module_state_name(const void* module, int32_t index, char* name, size_t name_cap, char* err,
                              size_t err_cap) {
  return guarded(err, err_cap, [&] {
    std::string key = state_at(module, index).first;
    require(name != nullptr && key.size() < name_cap, "name buffer too small for '" + key + "'");
    write_message(name, name_cap, key);
  });
}

int32_t fdl_module_state_get(const void* module, int32_t index, fdl_tensor** out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    *out = new_tensor_handle(state_at(module, index).second.detach().clone());
  });
}

int32_t fdl_module_state_gradient(const void* module, int32_t index, fdl_tensor** out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    at::Tensor value = state_at(module, index).second;
    *out = new_tensor_handle(value.grad().defined() ? value.grad().detach().clone() : at::zeros_like(value));
  });
}

int32_t fdl_module_state_has_gradient(const void* module, int32_t index, int32_t* out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    *out = state_at(module, index).second.grad().defined() ? 1 : 0;
  });
}

int32_t fdl_module_state_frozen(const void* module, int32_t index, int32_t* out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    at::Tensor value = state_at(module, index).second;  // checks the index
    auto parameters = static_cast<int32_t>(module_of_handle(module, "module").parameters().size());
    *out = index < parameters && !value.requires_grad() ? 1 : 0;
  });
}

int32_t fdl_module_state_set(void* module, int32_t index, const fdl_tensor* value, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    auto [key, target] = state_at(module, index);
    const at::Tensor& v = tensor_of(value, "value");
    require(v.sizes() == target.sizes(), "'" + key + "' has shape " + shape_string(target.sizes()) +
                                             ", the value has " + shape_string(v.sizes()));
    c10::NoGradGuard no_grad;
    target.copy_(v);
    bump_weights_version();
  });
}

int32_t fdl_module_load_state(void* module, const char* const* names, const fdl_tensor* const* tensors, int32_t count,
                              const char* allow_missing_prefixes, char* report, size_t report_cap, char* err,
                              size_t err_cap) {
  return guarded(err, err_cap, [&] {
    torch::nn::Module& target = module_of_handle(module, "module");
    require(count >= 0 && (count == 0 || (names != nullptr && tensors != nullptr)), "names or tensors is NULL");
    NamedTensors state;
    for (int32_t i = 0; i < count; ++i) {
      require(names[i] != nullptr, "names[" + std::to_string(i) + "] is NULL");
      std::string argument = "tensors[" + std::to_string(i) + "]";
      state.emplace_back(names[i], tensor_of(tensors[i], argument.c_str()));
    }
    StrictLoadOptions options;
    options.allow_missing_prefixes = split_prefixes(allow_missing_prefixes);
    LoadReport loaded = load_state_strict(target, state, options);
    bump_weights_version();
    std::string left;
    for (const auto& key : loaded.left_at_initialisation) left += (left.empty() ? "" : ",") + key;
    if (report != nullptr && report_cap > 0) write_message(report, report_cap, left);
  });
}

int32_t fdl_module_to(void* module, int32_t dtype, int32_t device_type, int32_t device_index, char* err,
                      size_t err_cap) {
  return guarded(err, err_cap, [&] {
    torch::nn::Module& target = module_of_handle(module, "module");
    at::ScalarType type = to_scalar_type(dtype);
    require(at::isFloatingType(type), "modules hold floating-point values; dtype code " + std::to_string(dtype) +
                                          " is not one");
    target.to(to_device(device_type, device_index));
    cast_floating_values(target, type);
    bump_weights_version();
  });
}

}  // extern "C"
