#include "ecd/torchscript_export.h"
#include "ecd/torchscript_module.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <functional>

#include "core/failure.h"
#include "nn/fc_stack.h"
#include "nn/torchscript_code.h"
#include "nn/torchscript_source.h"
#include "ecd/input_encoders.h"
#include "ecd/output_features.h"

namespace fdl {
namespace {

namespace nn = torch::nn;

// A value of a LibTorch option variant, or null.
template <class T, class Variant>
const T* variant_get(const Variant& value) {
  return std::get_if<T>(&value);
}

// "[a, b]" for a TorchScript List[int].
std::string int_list(c10::ArrayRef<int64_t> values) {
  std::string out;
  for (int64_t v : values) out += (out.empty() ? "" : ", ") + std::to_string(v);
  return "[" + out + "]";
}

std::string conv2d_code(const nn::Conv2dImpl& conv) {
  const auto& o = conv.options;
  const auto* padding = variant_get<torch::ExpandingArray<2>>(o.padding());
  if (!padding || !variant_get<torch::enumtype::kZeros>(o.padding_mode())) {
    fail(FDL_ERR_UNSUPPORTED, "TorchScript export supports Conv2d with explicit zero padding only");
  }
  return "    return torch.conv2d(x, self.weight, " + std::string(conv.bias.defined() ? "self.bias" : "None") + ", " +
         int_list(*o.stride()) + ", " + int_list(**padding) + ", " + int_list(*o.dilation()) + ", " +
         std::to_string(o.groups()) + ")\n";
}

std::string activation_code(fdl_activation activation, const std::string& x) {
  switch (activation) {
    case FDL_ACTIVATION_RELU: return "torch.relu(" + x + ")";
    case FDL_ACTIVATION_TANH: return "torch.tanh(" + x + ")";
    case FDL_ACTIVATION_SIGMOID: return "torch.sigmoid(" + x + ")";
    case FDL_ACTIVATION_ELU: return "torch.elu(" + x + ")";
    case FDL_ACTIVATION_LEAKY_RELU: return "torch.leaky_relu(" + x + ", 0.01)";
    // log(sigmoid(x)) in its overflow-free form, from builtins TorchScript's compiler resolves.
    case FDL_ACTIVATION_LOG_SIGMOID:
      return "(torch.clamp(" + x + ", max=0.0) - torch.log1p(torch.exp(-torch.abs(" + x + "))))";
    case FDL_ACTIVATION_SOFTMAX: return "torch.softmax(" + x + ", -1)";
    case FDL_ACTIVATION_NONE: return x;
  }
  fail(FDL_ERR_INTERNAL, "unknown activation");
}

std::string reduce_code(const TextInput& text) {
  switch (text.reduce) {
    case SequenceReduce::ClsPooled: return "    return pooled\n";
    case SequenceReduce::Sum:
      return "    keep = attention_mask.to(hidden.dtype)\n"
             "    return (hidden * keep.unsqueeze(-1)).sum(1)\n";
    case SequenceReduce::Mean:
      return "    keep = attention_mask.to(hidden.dtype)\n"
             "    count = keep.sum(1, keepdim=True).clamp_min(1.0)\n"
             "    return (hidden * keep.unsqueeze(-1)).sum(1) / count\n";
    case SequenceReduce::Last:
      return "    positions = torch.arange(hidden.size(1), device=hidden.device)\n"
             "    last = (attention_mask.ne(0).to(positions.dtype) * positions).argmax(1)\n"
             "    index = last.view([-1, 1, 1]).expand([hidden.size(0), 1, hidden.size(2)])\n"
             "    return hidden.gather(1, index).squeeze(1)\n";
    case SequenceReduce::Max:
      return "    kept = attention_mask.ne(0).unsqueeze(-1)\n"
             "    maximum = hidden.masked_fill(kept.logical_not(), float('-inf')).amax(1)\n"
             "    return torch.where(kept.any(1), maximum, torch.zeros_like(maximum))\n";
    case SequenceReduce::Concat: {
      std::string length = std::to_string(text.max_sequence_length);
      return "    assert hidden.size(1) <= " + length + ", \"input longer than max_sequence_length " + length +
             " (reduce_output concat)\"\n"
             "    keep = attention_mask.to(hidden.dtype).unsqueeze(-1)\n"
             "    padded = torch.constant_pad_nd(hidden * keep, [0, 0, 0, " + length + " - hidden.size(1)], 0.0)\n"
             "    return padded.flatten(1)\n";
    }
    case SequenceReduce::Attention: return "    return self.reduce_sequence.forward(hidden, attention_mask)\n";
    case SequenceReduce::None: break;
  }
  fail(FDL_ERR_UNSUPPORTED, "reduce_output 'none' cannot be exported (the combiner needs one vector per row)");
}

// The TorchScript forward of module m (empty for containers and dropout, which eval mode skips).
// A module type without a case here cannot be exported yet: the error names it.
std::string forward_source(const nn::Module& m) {
  if (auto* own = dynamic_cast<const TorchScriptSource*>(&m)) return own->torchscript_forward();
  const std::string tensor_in = "def forward(self, x: Tensor) -> Tensor:\n";
  if (auto* linear = m.as<nn::Linear>()) {
    return tensor_in + (linear->bias.defined() ? "    return torch.linear(x, self.weight, self.bias)\n"
                                               : "    return torch.linear(x, self.weight)\n");
  }
  if (m.as<nn::Embedding>()) return tensor_in + "    return torch.embedding(self.weight, x)\n";
  if (auto* norm = m.as<nn::LayerNorm>()) {
    std::string shape;
    for (int64_t d : norm->options.normalized_shape()) shape += (shape.empty() ? "" : ", ") + std::to_string(d);
    return tensor_in + "    return torch.layer_norm(x, [" + shape + "], self.weight, self.bias, " +
           torchscript_literal(norm->options.eps()) + ")\n";
  }
  // Batch norm in evaluation: the running statistics (BatchNorm1d for [B, D], BatchNorm2d for images).
  const nn::BatchNormOptions* bn = m.as<nn::BatchNorm1d>() ? &m.as<nn::BatchNorm1d>()->options
                                   : m.as<nn::BatchNorm2d>() ? &m.as<nn::BatchNorm2d>()->options
                                                             : nullptr;
  if (bn) {
    return tensor_in + "    return torch.batch_norm(x, self.weight, self.bias, self.running_mean, self.running_var,"
                       " False, 0.0, " + torchscript_literal(bn->eps()) + ", False)\n";
  }
  if (auto* conv = m.as<nn::Conv2d>()) return tensor_in + conv2d_code(*conv);
  if (auto* sequential = m.as<nn::Sequential>()) {
    std::string code = tensor_in;
    for (const auto& c : sequential->named_children()) code += "    x = " + torchscript_child("self", c.key()) + ".forward(x)\n";
    return code + "    return x\n";
  }
  if (m.as<nn::Dropout>() || m.as<nn::ModuleList>() || m.as<nn::ModuleDict>()) return "";
  // Batch and ghost norm in evaluation: plain batch norm with the running statistics.
  if (dynamic_cast<const RowBatchNormImpl*>(&m)) return tensor_in + "    return self.bn.forward(x)\n";
  if (auto* layer = dynamic_cast<const FcLayerImpl*>(&m)) {
    std::string code = tensor_in + "    x = self.dense.forward(x)\n";
    if (layer->spec.norm != FDL_NORM_NONE) code += "    x = self.norm.forward(x)\n";
    return code + "    return " + activation_code(layer->spec.activation, "x") + "\n";
  }
  if (auto* stack = dynamic_cast<const FcStackImpl*>(&m)) {
    std::string code = tensor_in;
    for (size_t i = 0; i < stack->layers->size(); ++i) {
      const auto& dense = (*stack->layers)[i]->as<FcLayer>()->dense;
      bool residual = stack->residual && dense->options.in_features() == dense->options.out_features();
      code += "    x = " + std::string(residual ? "x + " : "") + torchscript_child("self.layers", std::to_string(i)) + ".forward(x)\n";
    }
    return code + "    return x\n";
  }
  if (auto* text = dynamic_cast<const TextInput*>(&m)) {
    return "def forward(self, input_ids: Tensor, attention_mask: Tensor) -> Tensor:\n"
           "    hidden, pooled = self.bert.forward(input_ids, attention_mask)\n" + reduce_code(*text);
  }
  if (dynamic_cast<const ImageInput*>(&m)) return tensor_in + "    return self.encoder.forward(x.float())\n";
  if (dynamic_cast<const ScalarInput*>(&m)) return tensor_in + "    return self.stack.forward(x.float().unsqueeze(1))\n";
  if (auto* category = dynamic_cast<const CategoryInput*>(&m)) {
    return tensor_in + (category->embedding ? "    return self.embedding.forward(x)\n"
                                            : "    return torch.one_hot(x, " + std::to_string(category->vocab_size) +
                                                  ").float()\n");
  }
  if (dynamic_cast<const CategoryOutput*>(&m)) return tensor_in + "    return self.dense.forward(x)\n";
  if (dynamic_cast<const BinaryOutput*>(&m) || dynamic_cast<const NumberOutput*>(&m)) {
    return tensor_in + "    return self.dense.forward(x).squeeze(1)\n";
  }
  fail(FDL_ERR_UNSUPPORTED, "TorchScript export does not support the module " + m.name() + " yet");
}

// A script module with m's own parameters, buffers and children under their names, and its forward.
torch::jit::Module script_module(const nn::Module& m, const std::shared_ptr<torch::jit::CompilationUnit>& unit) {
  std::string type = m.name();
  type = type.substr(type.rfind(':') == std::string::npos ? 0 : type.rfind(':') + 1);
  torch::jit::Module script(c10::QualifiedName("__torch__.fidelio." + type), unit, /*shouldMangle=*/true);
  script.register_attribute("training", c10::BoolType::get(), false);  // nn.Module.eval()/train() set it
  for (const auto& p : m.named_parameters(/*recurse=*/false)) script.register_parameter(p.key(), p.value().detach(), false);
  for (const auto& b : m.named_buffers(/*recurse=*/false)) script.register_buffer(b.key(), b.value().detach());
  for (const auto& c : m.named_children()) script.register_module(c.key(), script_module(*c.value(), unit));
  std::string source = forward_source(m);
  if (!source.empty()) script.define(source);
  return script;
}

using Entry = std::function<std::string(const std::string&)>;  // "    out[<name + suffix>] = "

std::string softmax_prediction(const Entry& entry) {
  return entry("_probabilities") + "torch.softmax(logits, 1)\n" + entry("_predictions") + "torch.argmax(logits, 1)\n";
}

// Ludwig's corn rule (features/category_feature.py _CategoryPredict): probabilities are the cumulative
// products of the sigmoids, the prediction how many exceed 0.5. Counting the first C - 1 only caps it
// at the last class: Ludwig's count over all C reaches C (no class) only through the last logit,
// which no corn task trains.
std::string corn_prediction(const Entry& entry) {
  return "    p = torch.cumprod(torch.sigmoid(logits), 1)\n" + entry("_probabilities") + "p\n" +
         entry("_predictions") + "torch.sum(p[:, :-1] > 0.5, 1)\n";
}

// The root forward: inputs by feature name, encoders, concat, combiner, every output's tensors.
std::string root_source(const EcdModelImpl& model, const std::vector<double>& thresholds) {
  std::string code = "def forward(self, inputs: Dict[str, Tensor]) -> Dict[str, Tensor]:\n";
  std::string encoded;
  for (size_t i = 0; i < model.inputs.size(); ++i) {
    const std::string& name = model.input_names[i];
    std::string n = std::to_string(i), encoder = torchscript_child("self.input_features", module_key(name));
    auto text = std::dynamic_pointer_cast<TextInput>(model.inputs[i]);
    if (text) {
      std::string mask_key = torchscript_quoted(name + "_attention_mask");
      int64_t pad = text->encoder_module->pad_token_id();
      code += "    ids" + n + " = inputs[" + torchscript_quoted(name) + "]\n"
              "    if " + mask_key + " in inputs:\n"
              "        mask" + n + " = inputs[" + mask_key + "]\n"
              "    else:\n"
              "        mask" + n + " = " + (pad >= 0 ? "ids" + n + ".ne(" + std::to_string(pad) + ").to(ids" + n + ".dtype)"
                                                    : "torch.ones_like(ids" + n + ")") + "\n"
              "    x" + n + " = " + encoder + ".forward(ids" + n + ", mask" + n + ")\n";
    } else if (std::dynamic_pointer_cast<ImageInput>(model.inputs[i]) ||
               std::dynamic_pointer_cast<ScalarInput>(model.inputs[i]) ||
               std::dynamic_pointer_cast<CategoryInput>(model.inputs[i])) {
      // One tensor each: images [B, C, H, W], values [B] or class ids [B] (the encoder's own forward).
      code += "    x" + n + " = " + encoder + ".forward(inputs[" + torchscript_quoted(name) + "])\n";
    } else {
      fail(FDL_ERR_UNSUPPORTED, "TorchScript export does not support input feature '" + name + "' (precomputed "
                                "embeddings have no encoder to export)");
    }
    encoded += (encoded.empty() ? "x" : ", x") + n;
  }
  code += "    combined = self.combiner.forward(torch.cat([" + encoded + "], 1))\n"
          "    out: Dict[str, Tensor] = {}\n";
  for (size_t i = 0; i < model.outputs.size(); ++i) {
    const std::string& name = model.output_names[i];
    const auto& head = model.outputs[i];
    auto entry = [&](const std::string& suffix) { return "    out[" + torchscript_quoted(name + suffix) + "] = "; };
    std::string output = torchscript_child("self.output_features", module_key(name));
    std::string decoded = head->fc_stack ? output + ".fc_stack.forward(combined)" : "combined";
    code += "    logits = " + output + ".forward(" + decoded + ")\n" + entry("_logits") + "logits\n";
    if (auto category = std::dynamic_pointer_cast<CategoryOutput>(head)) {
      code += category->loss_type == FDL_CATEGORY_LOSS_CORN ? corn_prediction(entry) : softmax_prediction(entry);
    } else if (std::dynamic_pointer_cast<BinaryOutput>(head)) {
      code += "    p = torch.sigmoid(logits)\n" + entry("_probabilities") + "torch.stack([1.0 - p, p], 1)\n" +
              entry("_predictions") + "p >= " + torchscript_literal(thresholds.at(i)) + "\n";
    } else if (std::dynamic_pointer_cast<NumberOutput>(head)) {
      code += entry("_predictions") + "logits\n";
    } else {
      fail(FDL_ERR_UNSUPPORTED, "TorchScript export does not support output feature '" + name + "' yet");
    }
  }
  return code + "    return out\n";
}

}  // namespace

torch::jit::Module scripted_ecd(const EcdModelImpl& model, const std::vector<double>& binary_thresholds) {
  require(model.built(), "the model is not built yet (fdl_ecd_build)");
  require(binary_thresholds.size() == model.outputs.size(), "expected one threshold per output feature (" +
                                                                std::to_string(model.outputs.size()) + "), got " +
                                                                std::to_string(binary_thresholds.size()));
  auto unit = std::make_shared<torch::jit::CompilationUnit>();
  torch::jit::Module root(c10::QualifiedName("__torch__.fidelio.EcdModel"), unit, /*shouldMangle=*/true);
  root.register_attribute("training", c10::BoolType::get(), false);
  for (const auto& c : model.named_children()) root.register_module(c.key(), script_module(*c.value(), unit));
  root.define(root_source(model, binary_thresholds));
  return root;
}

torch::jit::Module scripted_module(const nn::Module& module) {
  return script_module(module, std::make_shared<torch::jit::CompilationUnit>());
}

void export_torchscript(EcdModelImpl& model, const std::vector<double>& binary_thresholds, const std::string& path) {
  torch::jit::Module root = scripted_ecd(model, binary_thresholds);
  try {
    root.save(path);
  } catch (const c10::Error& e) {
    fail(FDL_ERR_INVALID_ARGUMENT, "cannot write the TorchScript file " + path + ": " + e.what_without_backtrace());
  }
}

}  // namespace fdl
