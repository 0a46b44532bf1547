// The ECD model (Ludwig's encoder-combiner-decoder): input features encode their tensors, the
// concat combiner joins and transforms them, each output feature decodes and scores its loss.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/moduledict.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nn/fc_stack.h"
#include "ecd/input_encoders.h"
#include "ecd/output_features.h"

namespace fdl {

struct EcdModelImpl : torch::nn::Module {
  EcdModelImpl();

  void add_input(const std::string& name, std::shared_ptr<InputEncoder> encoder);
  // Output heads are created by build(), once the combiner's output size is known.
  void add_output(const std::string& name, std::function<std::shared_ptr<OutputFeature>(int64_t)> make);
  // Fc layers for the decoder of output name (added already), between the combiner and its head.
  void set_decoder_layers(const std::string& name, const std::vector<FcLayerSpec>& layers);
  void build(const std::vector<FcLayerSpec>& combiner_layers, bool residual);

  // feature_tensors: every input's tensors, concatenated in input order -> logits per output
  std::vector<at::Tensor> forward(const std::vector<at::Tensor>& feature_tensors);
  // sum over outputs of loss_weight * loss(logits, target)
  at::Tensor loss(const std::vector<at::Tensor>& logits, const std::vector<at::Tensor>& targets);

  // The checks that read values (id ranges) of a host batch, before it moves to the model's device.
  void check_values(const std::vector<at::Tensor>& feature_tensors, const std::vector<at::Tensor>& targets) const;

  // feature_tensors with every input padded to its shape bucket (InputEncoder::padded_to_bucket).
  std::vector<at::Tensor> padded_to_buckets(const std::vector<at::Tensor>& feature_tensors) const;

  int32_t expected_tensor_count() const;
  bool built() const { return !combiner.is_empty(); }

  std::vector<std::string> input_names, output_names;
  std::vector<std::shared_ptr<InputEncoder>> inputs;
  std::vector<std::shared_ptr<OutputFeature>> outputs;
  torch::nn::ModuleDict input_features, output_features;
  FcStack combiner{nullptr};

 private:
  // feature_tensors cut into each input's own tensors (checks the count).
  std::vector<std::vector<at::Tensor>> split_by_input(const std::vector<at::Tensor>& feature_tensors) const;
  std::vector<std::function<std::shared_ptr<OutputFeature>(int64_t)>> pending_outputs_;
  std::vector<std::vector<FcLayerSpec>> pending_decoder_layers_;  // per pending output
};
TORCH_MODULE(EcdModel);

// Module names may not contain '.', feature names may: "a.b" -> "a_b".
std::string module_key(const std::string& feature_name);

}  // namespace fdl
