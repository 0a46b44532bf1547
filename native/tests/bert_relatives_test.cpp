// The text encoder families against independent references: for RoBERTa, ELECTRA and DistilBERT,
// tests/reference/bert_relatives.py (plain PyTorch written from HF's modeling code) builds the model
// under HF's keys with random weights and writes its checkpoint, outputs on a padded batch and
// gradients; make_text_encoder builds the family from the same config.json fields, the strict
// loader takes the checkpoint, and outputs, gradients and the module's TorchScript forward must
// match. Both sides compute in float64, so the bounds (1e-9 abs for outputs, 1e-7 of a tensor's
// largest entry for gradients) are far inside the 1e-4 a float32 run allows and catch any real
// difference. Also: model_type dispatch and its errors.
#include <torch/csrc/jit/serialization/pickle.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "check.h"
#include "core/failure.h"
#include "ecd/torchscript_module.h"
#include "nn/state_dict.h"
#include "nn/text_encoder.h"

using namespace fdl;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

bool reference_python_available() {
  return std::system("/usr/bin/python3 -c 'import torch' > /dev/null 2>&1") == 0;
}

c10::impl::GenericDict reference(const std::string& family) {
  std::string path = "/tmp/fidelio_bert_relatives_" + family + "_" + std::to_string(::getpid()) + ".pt";
  std::string command = "/usr/bin/python3 " FIDELIO_REFERENCE_DIR "/bert_relatives.py " + family + " " + path;
  if (std::system(command.c_str()) != 0) fail(FDL_ERR_INTERNAL, "reference failed: " + command);
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::remove(path.c_str());
  return torch::jit::pickle_load(bytes).toGenericDict();
}

HfConfig config_of(const c10::impl::GenericDict& fields) {
  HfConfig config;
  for (const auto& entry : fields) {
    const std::string key = entry.key().toStringRef();
    const c10::IValue& v = entry.value();
    if (v.isBool()) config.set(key, v.toBool());
    else if (v.isInt()) config.set(key, static_cast<double>(v.toInt()));
    else if (v.isDouble()) config.set(key, v.toDouble());
    else config.set(key, v.toStringRef());
  }
  return config;
}

NamedTensors named(const c10::impl::GenericDict& tensors) {
  NamedTensors out;
  for (const auto& entry : tensors) out.emplace_back(entry.key().toStringRef(), entry.value().toTensor());
  return out;
}

double max_difference(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<double>(); }

void family_matches_reference(const std::string& family, int64_t expected_max_length) {
  c10::impl::GenericDict ref = reference(family);
  std::shared_ptr<TextEncoderImpl> model = make_text_encoder(config_of(ref.at("config").toGenericDict()));
  model->to(at::kDouble);  // as the reference computes
  LoadReport report = load_state_strict(*model, named(ref.at("state").toGenericDict()));
  EXPECT(report.left_at_initialisation.empty(), "%s: every parameter comes from the checkpoint", family.c_str());
  EXPECT(model->max_sequence_length() == expected_max_length, "%s: max_sequence_length %lld, expected %lld",
         family.c_str(), static_cast<long long>(model->max_sequence_length()), static_cast<long long>(expected_max_length));
  model->eval();
  at::Tensor ids = ref.at("input_ids").toTensor(), mask = ref.at("attention_mask").toTensor();
  TextEncoderOutput out = model->encode(ids, mask);
  double forward = max_difference(out.last_hidden_state, ref.at("last_hidden_state").toTensor());
  std::printf("%s: last_hidden_state max abs difference %g\n", family.c_str(), forward);
  EXPECT(forward <= 1e-9, "%s: last_hidden_state differs by %g", family.c_str(), forward);
  at::Tensor loss = (out.last_hidden_state * ref.at("probe").toTensor()).sum();
  EXPECT(out.pooler_output.defined() == ref.contains("pooler_output"), "%s: a pooler exactly when HF has one",
         family.c_str());
  if (ref.contains("pooler_output") && out.pooler_output.defined()) {
    double pooled = max_difference(out.pooler_output, ref.at("pooler_output").toTensor());
    EXPECT(pooled <= 1e-9, "%s: pooler_output differs by %g", family.c_str(), pooled);
    loss = loss + out.pooler_output.sum();
  }
  loss.backward();

  auto grads = ref.at("grads").toGenericDict();
  // Relative to each tensor's largest entry, floored at 1e-3 of the model's largest gradient: the key
  // bias's true gradient is 0 (softmax ignores a constant per query), both sides hold rounding noise.
  double largest = 0;
  for (const auto& entry : grads) largest = std::max(largest, entry.value().toTensor().abs().max().item<double>());
  double worst = 0;
  for (const auto& p : model->named_parameters()) {
    bool has_reference = grads.contains(p.key());
    EXPECT(has_reference == p.value().grad().defined(), "%s: %s has a gradient exactly when HF's has one",
           family.c_str(), p.key().c_str());
    if (!has_reference || !p.value().grad().defined()) continue;
    at::Tensor expected = grads.at(p.key()).toTensor();
    double scale = std::max(expected.abs().max().item<double>(), 1e-3 * largest);
    double relative = max_difference(p.value().grad(), expected) / scale;
    worst = std::max(worst, relative);
    EXPECT(relative <= 1e-7, "%s: gradient of %s differs by %g of its largest entry", family.c_str(), p.key().c_str(),
           relative);
  }
  std::printf("%s: largest relative gradient difference %g over %zu tensors\n", family.c_str(), worst, grads.size());

  // The export's TorchScript forward of the same module, with the padded row.
  torch::jit::Module scripted = scripted_module(*model);
  auto result = scripted.forward({ids, mask}).toTuple();
  double script_difference = max_difference(result->elements()[0].toTensor(), out.last_hidden_state);
  EXPECT(script_difference <= 1e-9, "%s: TorchScript last_hidden_state differs by %g", family.c_str(), script_difference);
  at::Tensor pooled = out.pooler_output.defined() ? out.pooler_output : out.last_hidden_state.select(1, 0);
  double script_pooled = max_difference(result->elements()[1].toTensor(), pooled);
  EXPECT(script_pooled <= 1e-9, "%s: TorchScript pooled output differs by %g", family.c_str(), script_pooled);
}

// A model_type outside the table fails as unsupported and lists what is supported.
void unknown_model_type_lists_supported_ones() {
  try {
    make_text_encoder(HfConfig().set("model_type", std::string("gpt2")));
    EXPECT(false, "gpt2 must be refused");
  } catch (const Failure& e) {
    std::string message = e.what();
    EXPECT(e.code == FDL_ERR_UNSUPPORTED, "unsupported model_type code %d", e.code);
    EXPECT(contains(message, "\"gpt2\""), "message names the type: %s", message.c_str());
    for (const std::string& type : supported_text_model_types()) {  // more once other families register
      EXPECT(contains(message, type), "message lists %s: %s", type.c_str(), message.c_str());
    }
  }
  try {
    make_text_encoder(HfConfig().set("model_type", std::string("roberta")).set("hidden_act", std::string("swish")));
    EXPECT(false, "hidden_act swish must be refused");
  } catch (const Failure& e) {
    EXPECT(contains(e.what(), "hidden_act \"swish\""), "message names the field: %s", e.what());
  }
  try {
    make_text_encoder(HfConfig().set("model_type", std::string("distilbert")).set("dim", 10.0));
    EXPECT(false, "dim 10 with 12 heads must be refused");
  } catch (const Failure& e) {
    EXPECT(contains(e.what(), "dim") && contains(e.what(), "n_heads"), "message names the fields: %s", e.what());
  }
}

}  // namespace

int main() {
  unknown_model_type_lists_supported_ones();
  if (!reference_python_available()) {
    std::printf("SKIPPED the reference parity checks: /usr/bin/python3 has no torch (Debian's python3-torch)\n");
    EXPECT_REPORT();
  }
  family_matches_reference("roberta", 12 - 1 - 1);  // max_position_embeddings - pad_token_id - 1
  family_matches_reference("electra", 20);
  family_matches_reference("distilbert", 20);
  EXPECT_REPORT();
}
