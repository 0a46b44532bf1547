// fdl_ecd_spec unwrapped into an EcdModel: each input and output feature checked and added, then
// the combiner and the heads built. Encoder handles are shared: freeing them later leaves the
// modules alive in the model.
#include <ATen/ATen.h>

#include <cmath>
#include <string>

#include "abi/api_guard.h"
#include "abi/text_encoder_handle.h"
#include "abi/ecd_handle.h"
#include "abi/image_encoder_handle.h"

namespace fdl {
namespace {

std::string name_of(const char* name, const char* what) {
  require(name != nullptr, std::string(what) + " name is NULL");
  return name;
}

std::shared_ptr<InputEncoder> input_of(const fdl_input_spec& in, const std::string& name) {
  switch (in.type) {
    case FDL_INPUT_TEXT: {
      check_handle(in.encoder, HandleKind::TextEncoder, "encoder");
      auto text = static_cast<const fdl_text_encoder*>(in.encoder);
      return std::make_shared<TextInput>(text->model, reduce_of(in.reduce_output), in.trainable != 0, in.size);
    }
    case FDL_INPUT_IMAGE:
      check_handle(in.encoder, HandleKind::ImageEncoder, "encoder");
      return std::make_shared<ImageInput>(static_cast<const fdl_image_encoder*>(in.encoder)->model, in.trainable != 0);
    case FDL_INPUT_EMBEDDING:
      require(in.size > 0, "embedding size must be positive, got " + std::to_string(in.size));
      return std::make_shared<EmbeddingInput>(in.size);
    case FDL_INPUT_SCALAR: return std::make_shared<ScalarInput>(fc_layers_of(in.encoder_layers, name));
    case FDL_INPUT_CATEGORY:
      return std::make_shared<CategoryInput>(in.size, in.embedding_size, in.trainable != 0, in.dropout);
  }
  fail(FDL_ERR_INVALID_ARGUMENT, "input '" + name + "': unknown type " + std::to_string(static_cast<int>(in.type)));
}

std::shared_ptr<OutputFeature> head_of(const fdl_output_spec& out, int64_t input_size) {
  switch (out.type) {
    case FDL_OUTPUT_CATEGORY:
      return std::make_shared<CategoryOutput>(
          input_size, out.num_classes, std::vector<float>(out.class_weights, out.class_weights + out.n_class_weights),
          out.category_loss);
    case FDL_OUTPUT_BINARY:
      return std::make_shared<BinaryOutput>(input_size, out.positive_class_weight, out.robust_lambda,
                                            out.confidence_penalty);
    case FDL_OUTPUT_NUMBER: return std::make_shared<NumberOutput>(input_size, out.number_loss, out.huber_delta);
  }
  fail(FDL_ERR_INVALID_ARGUMENT, "unknown output type " + std::to_string(static_cast<int>(out.type)));
}

void add_output(EcdModel& model, const fdl_output_spec& out) {
  std::string name = name_of(out.name, "output feature");
  require(out.loss_weight >= 0, "output '" + name + "': loss weight must be >= 0, got " + std::to_string(out.loss_weight));
  require(out.n_class_weights >= 0 && (out.n_class_weights == 0 || out.class_weights != nullptr),
          "output '" + name + "': class_weights is NULL");
  for (int32_t i = 0; i < out.n_class_weights; ++i) {
    require(std::isfinite(out.class_weights[i]) && out.class_weights[i] >= 0, "class weights must be finite and >= 0");
  }
  fdl_output_spec copy = out;
  model->add_output(name, [copy](int64_t input_size) {
    auto head = head_of(copy, input_size);
    head->loss_weight = copy.loss_weight;
    return head;
  });
  model->set_decoder_layers(name, fc_layers_of(out.decoder, "output '" + name + "' decoder"));
}

}  // namespace

EcdModel model_of(const fdl_ecd_spec& spec) {
  require(spec.n_inputs >= 0 && (spec.n_inputs == 0 || spec.inputs != nullptr), "inputs is NULL");
  require(spec.n_outputs >= 0 && (spec.n_outputs == 0 || spec.outputs != nullptr), "outputs is NULL");
  EcdModel model;
  for (int32_t i = 0; i < spec.n_inputs; ++i) {
    std::string name = name_of(spec.inputs[i].name, "input feature");
    at::manual_seed(spec.seed + i);  // each input's initial weights independent of the others
    model->add_input(name, input_of(spec.inputs[i], name));
  }
  for (int32_t i = 0; i < spec.n_outputs; ++i) add_output(model, spec.outputs[i]);
  at::manual_seed(spec.seed);
  model->build(fc_layers_of(spec.combiner.fc, "combiner"), spec.combiner.fc.residual != 0);
  return model;
}

}  // namespace fdl
