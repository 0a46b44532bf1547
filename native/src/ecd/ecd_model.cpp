#include "ecd/ecd_model.h"

#include <set>

#include "core/failure.h"

namespace fdl {

std::string module_key(const std::string& feature_name) {
  std::string key = feature_name;
  for (char& c : key) {
    if (c == '.') c = '_';
  }
  return key;
}

EcdModelImpl::EcdModelImpl() {
  input_features = register_module("input_features", torch::nn::ModuleDict());
  output_features = register_module("output_features", torch::nn::ModuleDict());
}

void EcdModelImpl::add_input(const std::string& name, std::shared_ptr<InputEncoder> encoder) {
  require(!built(), "inputs must be added before the model is built");
  require(!name.empty(), "input feature name is empty");
  require(!input_features->contains(module_key(name)), "duplicate input feature name '" + name + "'");
  input_features->update({{module_key(name), encoder}});
  input_names.push_back(name);
  inputs.push_back(std::move(encoder));
}

void EcdModelImpl::add_output(const std::string& name, std::function<std::shared_ptr<OutputFeature>(int64_t)> make) {
  require(!built(), "outputs must be added before the model is built");
  require(!name.empty(), "output feature name is empty");
  for (const auto& existing : output_names) require(existing != name, "duplicate output feature name '" + name + "'");
  output_names.push_back(name);
  pending_outputs_.push_back(std::move(make));
  pending_decoder_layers_.emplace_back();
}

void EcdModelImpl::set_decoder_layers(const std::string& name, const std::vector<FcLayerSpec>& layers) {
  require(!built(), "decoder layers must be set before the model is built");
  for (size_t i = 0; i < output_names.size(); ++i) {
    if (output_names[i] == name) {
      pending_decoder_layers_[i] = layers;
      return;
    }
  }
  fail(FDL_ERR_INVALID_ARGUMENT, "no output feature named '" + name + "'");
}

void EcdModelImpl::build(const std::vector<FcLayerSpec>& combiner_layers, bool residual) {
  require(!built(), "the model is built already");
  require(!inputs.empty(), "the model has no input features");
  require(!pending_outputs_.empty(), "the model has no output features");
  int64_t concat_size = 0;
  for (const auto& input : inputs) concat_size += input->output_size();
  combiner = register_module("combiner", FcStack(concat_size, combiner_layers, residual));
  for (size_t i = 0; i < pending_outputs_.size(); ++i) {
    const auto& decoder_layers = pending_decoder_layers_[i];
    FcStack decoder = decoder_layers.empty() ? FcStack(nullptr) : FcStack(combiner->output_size(), decoder_layers);
    outputs.push_back(pending_outputs_[i](decoder ? decoder->output_size() : combiner->output_size()));
    if (decoder) outputs.back()->fc_stack = outputs.back()->register_module("fc_stack", decoder);
    output_features->update({{module_key(output_names[i]), outputs.back()}});
  }
  pending_outputs_.clear();
  pending_decoder_layers_.clear();
}

int32_t EcdModelImpl::expected_tensor_count() const {
  int32_t n = 0;
  for (const auto& input : inputs) n += input->tensor_count();
  return n;
}

std::vector<std::vector<at::Tensor>> EcdModelImpl::split_by_input(const std::vector<at::Tensor>& feature_tensors) const {
  require(static_cast<int32_t>(feature_tensors.size()) == expected_tensor_count(),
          "expected " + std::to_string(expected_tensor_count()) + " input tensors, got " +
              std::to_string(feature_tensors.size()));
  std::vector<std::vector<at::Tensor>> own;
  auto next = feature_tensors.begin();
  for (const auto& input : inputs) {
    own.emplace_back(next, next + input->tensor_count());
    next += input->tensor_count();
  }
  return own;
}

void EcdModelImpl::check_values(const std::vector<at::Tensor>& feature_tensors,
                                const std::vector<at::Tensor>& targets) const {
  auto own = split_by_input(feature_tensors);
  for (size_t i = 0; i < inputs.size(); ++i) {
    try {
      inputs[i]->check_values(own[i]);
    } catch (const Failure& e) {
      fail(e.code, "input feature '" + input_names[i] + "': " + e.what());
    }
  }
  for (size_t i = 0; i < outputs.size() && i < targets.size(); ++i) {
    try {
      outputs[i]->check_target_values(targets[i]);
    } catch (const Failure& e) {
      fail(e.code, "output feature '" + output_names[i] + "': " + e.what());
    }
  }
}

std::vector<at::Tensor> EcdModelImpl::padded_to_buckets(const std::vector<at::Tensor>& feature_tensors) const {
  auto own = split_by_input(feature_tensors);
  std::vector<at::Tensor> padded;
  for (size_t i = 0; i < inputs.size(); ++i) {
    for (auto& t : inputs[i]->padded_to_bucket(own[i])) padded.push_back(std::move(t));
  }
  return padded;
}

std::vector<at::Tensor> EcdModelImpl::forward(const std::vector<at::Tensor>& feature_tensors) {
  require(built(), "the model is not built yet (fdl_ecd_build)");
  std::vector<at::Tensor> encoded;
  int64_t batch = -1;
  auto own = split_by_input(feature_tensors);
  for (size_t i = 0; i < inputs.size(); ++i) {
    try {
      encoded.push_back(inputs[i]->forward(own[i]));
    } catch (const Failure& e) {
      fail(e.code, "input feature '" + input_names[i] + "': " + e.what());
    }
    if (batch < 0) batch = encoded.back().size(0);
    require(encoded.back().size(0) == batch, "input feature '" + input_names[i] + "' has batch size " +
                                                 std::to_string(encoded.back().size(0)) + ", the first input has " +
                                                 std::to_string(batch));
  }
  require(batch > 0, "empty batch");
  at::Tensor combined = combiner->forward(at::cat(encoded, 1));
  std::vector<at::Tensor> logits;
  for (const auto& output : outputs) {
    logits.push_back(output->forward(output->fc_stack ? output->fc_stack->forward(combined) : combined));
  }
  return logits;
}

at::Tensor EcdModelImpl::loss(const std::vector<at::Tensor>& logits, const std::vector<at::Tensor>& targets) {
  require(targets.size() == outputs.size(), "expected " + std::to_string(outputs.size()) +
                                                " target tensors (one per output feature), got " +
                                                std::to_string(targets.size()));
  at::Tensor total;
  for (size_t i = 0; i < outputs.size(); ++i) {
    at::Tensor term;
    try {
      term = outputs[i]->loss(logits[i], targets[i]) * outputs[i]->loss_weight;
    } catch (const Failure& e) {
      fail(e.code, "output feature '" + output_names[i] + "': " + e.what());
    }
    total = total.defined() ? total + term : term;
  }
  return total;
}

}  // namespace fdl
