// The text families beyond BERT (albert, mpnet, deberta-v2, modernbert) against references written
// from HF's modeling_<family>.py (tests/reference/<family>_reference.py, run here with Debian's
// torch): each reference builds its model under HF's keys with random weights and saves them with
// padded inputs, outputs and the gradients of a fixed loss. Here the weights load with the strict
// loader and forward (non-pad positions), pooler, gradients (plain and checkpointed) and a
// TorchScript round trip must match; a wrong key or shape must be named. Float64 throughout.
#include <torch/csrc/jit/api/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/serialize.h>

#include <cmath>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <string>

#include "check.h"
#include "core/failure.h"
#include "nn/albert.h"
#include "nn/deberta_v2.h"
#include "nn/modernbert.h"
#include "nn/mpnet.h"
#include "nn/state_dict.h"
#include "nn/torchscript_source.h"

using namespace fdl;

namespace {

struct Reference {
  std::map<std::string, at::Tensor> fields;  // input_ids, attention_mask, last_hidden_state, probes, ...
  NamedTensors state;
  std::map<std::string, at::Tensor> grads;
  HfConfig config;
};

std::map<std::string, at::Tensor> tensor_map(const c10::IValue& value) {
  std::map<std::string, at::Tensor> out;
  for (const auto& item : value.toGenericDict()) out[item.key().toStringRef()] = item.value().toTensor();
  return out;
}

// Runs <family>_reference.py [variant] into a temporary file and reads it back.
Reference run_reference(const std::string& family, const std::string& variant = "") {
  std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/fidelio_" + family +
                     variant + "_reference_" + std::to_string(::getpid()) + ".pt";
  std::string command = "/usr/bin/python3 " FIDELIO_REFERENCE_DIR "/" + family + "_reference.py " + path + " " + variant;
  Reference r;
  if (std::system(command.c_str()) != 0) {
    EXPECT(false, "%s failed", command.c_str());
    return r;
  }
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::remove(path.c_str());
  c10::IValue record = torch::pickle_load(bytes);
  for (const auto& item : record.toGenericDict()) {
    const std::string& key = item.key().toStringRef();
    const c10::IValue& v = item.value();
    if (key == "state") {
      for (const auto& s : v.toGenericDict()) r.state.emplace_back(s.key().toStringRef(), s.value().toTensor());
    } else if (key == "grads") {
      r.grads = tensor_map(v);
    } else if (key == "config") {  // config.json as HfConfig receives it (numbers as double)
      for (const auto& c : v.toGenericDict()) {
        const c10::IValue& f = c.value();
        HfConfig::Value value = f.isBool() ? HfConfig::Value(f.toBool())
                                : f.isString() ? HfConfig::Value(f.toStringRef())
                                : f.isList()   ? HfConfig::Value([&] {
                                    std::vector<std::string> list;
                                    for (const auto& e : f.toListRef()) list.push_back(e.toStringRef());
                                    return list;
                                  }())
                                               : HfConfig::Value(f.isInt() ? double(f.toInt()) : f.toDouble());
        r.config.set(c.key().toStringRef(), value);
      }
    } else {
      r.fields[key] = v.toTensor();
    }
  }
  return r;
}

// A script module of m's tree: TorchScriptSource forwards, and LibTorch's Linear, LayerNorm and
// Embedding (the cases of ecd/torchscript_export.cpp these families use; Dropout and ModuleList
// need none there either).
torch::jit::Module script(const torch::nn::Module& m, const std::shared_ptr<torch::jit::CompilationUnit>& unit) {
  std::string type = m.name().substr(m.name().rfind(':') == std::string::npos ? 0 : m.name().rfind(':') + 1);
  torch::jit::Module s(c10::QualifiedName("__torch__.families." + type), unit, /*shouldMangle=*/true);
  s.register_attribute("training", c10::BoolType::get(), false);
  for (const auto& p : m.named_parameters(false)) s.register_parameter(p.key(), p.value().detach(), false);
  for (const auto& b : m.named_buffers(false)) s.register_buffer(b.key(), b.value().detach());
  for (const auto& c : m.named_children()) s.register_module(c.key(), script(*c.value(), unit));
  const std::string in = "def forward(self, x: Tensor) -> Tensor:\n    return ";
  if (auto* own = dynamic_cast<const TorchScriptSource*>(&m)) {
    s.define(own->torchscript_forward());
  } else if (auto* linear = m.as<torch::nn::Linear>()) {
    s.define(in + (linear->bias.defined() ? "torch.linear(x, self.weight, self.bias)\n" : "torch.linear(x, self.weight)\n"));
  } else if (auto* norm = m.as<torch::nn::LayerNorm>()) {
    s.define(in + "torch.layer_norm(x, [" + std::to_string(norm->options.normalized_shape()[0]) +
             "], self.weight, self.bias, " + torchscript_literal(norm->options.eps()) + ")\n");
  } else if (m.as<torch::nn::Embedding>()) {
    s.define(in + "torch.embedding(self.weight, x)\n");
  } else if (!m.as<torch::nn::Dropout>() && !m.as<torch::nn::ModuleList>()) {
    // The export rejects module types it has no source for; so does this.
    EXPECT(false, "%s has no TorchScript source", m.name().c_str());
  }
  return s;
}

double max_abs(const at::Tensor& t) { return t.numel() ? t.abs().max().item<double>() : 0.0; }

// Sum over parameters of the loss the reference backpropagated.
at::Tensor reference_loss(const TextEncoderOutput& out, Reference& r) {
  at::Tensor keep = r.fields["attention_mask"].to(at::kDouble).unsqueeze(-1);
  at::Tensor loss = (out.last_hidden_state * r.fields["hidden_probe"] * keep).sum();
  if (out.pooler_output.defined()) loss = loss + (out.pooler_output * r.fields["pooled_probe"]).sum();
  return loss;
}

void expect_gradients(TextEncoderImpl& model, Reference& r, const std::string& what) {
  size_t compared = 0;
  for (const auto& p : model.named_parameters()) {
    auto it = r.grads.find(p.key());
    if (it == r.grads.end()) continue;
    ++compared;
    at::Tensor grad = p.value().grad();
    if (!grad.defined()) grad = at::zeros_like(p.value());
    double error = max_abs(grad - it->second) / std::max(1.0, max_abs(it->second));
    EXPECT(error <= 1e-4, "%s: gradient of %s off by %g (relative)", what.c_str(), p.key().c_str(), error);
  }
  EXPECT(compared == r.grads.size(), "%s: compared %zu of %zu reference gradients", what.c_str(), compared,
         r.grads.size());
}

// The parity checks every family shares.
void check_against_reference(const std::string& family, const std::function<std::shared_ptr<TextEncoderImpl>(const HfConfig&)>& make,
                             bool has_pooler, const std::string& variant = "") {
  Reference r = run_reference(family, variant);
  if (r.state.empty()) return;
  std::shared_ptr<TextEncoderImpl> model = make(r.config);
  model->to(at::kDouble);
  LoadReport report = load_state_strict(*model, r.state);
  EXPECT(report.loaded.size() == r.state.size(), "%s: loaded %zu of %zu", family.c_str(), report.loaded.size(),
         r.state.size());
  model->eval();
  at::Tensor ids = r.fields["input_ids"], mask = r.fields["attention_mask"];
  at::Tensor keep = mask.to(at::kDouble).unsqueeze(-1);

  TextEncoderOutput out = model->encode(ids, mask);
  double hidden_error = max_abs((out.last_hidden_state - r.fields["last_hidden_state"]) * keep);
  EXPECT(hidden_error <= 1e-4, "%s: last_hidden_state off by %g on kept tokens", family.c_str(), hidden_error);
  EXPECT(out.pooler_output.defined() == has_pooler, "%s: pooler output presence", family.c_str());
  if (has_pooler) {
    double pooled_error = max_abs(out.pooler_output - r.fields["pooler_output"]);
    EXPECT(pooled_error <= 1e-4, "%s: pooler_output off by %g", family.c_str(), pooled_error);
  }
  reference_loss(out, r).backward();
  expect_gradients(*model, r, family);

  // The same gradients with each layer recomputed in backward (train mode; the configs have no dropout).
  model->zero_grad();
  model->train();
  model->set_gradient_checkpointing(true);
  reference_loss(model->encode(ids, mask), r).backward();
  expect_gradients(*model, r, family + " checkpointed");
  model->set_gradient_checkpointing(false);
  model->eval();

  // TorchScript: the module tree's own forwards give the same outputs.
  auto scripted = script(*model, std::make_shared<torch::jit::CompilationUnit>());
  at::NoGradGuard no_grad;
  auto outputs = scripted.forward({ids, mask}).toTuple()->elements();
  double script_error = max_abs((outputs[0].toTensor() - out.last_hidden_state.detach()) * keep);
  EXPECT(script_error <= 1e-6, "%s: TorchScript hidden off by %g", family.c_str(), script_error);
  at::Tensor pooled = has_pooler ? out.pooler_output.detach() : out.last_hidden_state.detach().select(1, 0);
  EXPECT(max_abs(outputs[1].toTensor() - pooled) <= 1e-6, "%s: TorchScript pooled output differs", family.c_str());

  // Float32, as training runs it (masks, positions and biases follow the activations' dtype).
  model->to(at::kFloat);
  at::Tensor single = model->encode(ids, mask).last_hidden_state.to(at::kDouble);
  double float_error = max_abs((single - r.fields["last_hidden_state"]) * keep);
  EXPECT(float_error <= 1e-4, "%s: float32 last_hidden_state off by %g", family.c_str(), float_error);

  std::printf("%s: hidden max error %.3g, TorchScript %.3g, float32 %.3g\n", family.c_str(), hidden_error,
              script_error, float_error);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A checkpoint with a misspelt key and a wrong shape (the word embeddings one row short) is
// rejected, naming both.
void wrong_key_or_shape_is_named(const std::string& family, const std::function<std::shared_ptr<TextEncoderImpl>(const HfConfig&)>& make,
                                 const std::string& key) {
  Reference r = run_reference(family);
  std::shared_ptr<TextEncoderImpl> model = make(r.config);
  NamedTensors state = r.state;
  const std::string table = state.front().first;  // the word embeddings, first in every family
  for (auto& [name, tensor] : state) {
    if (name == key) name += "_typo";
    if (name == table) tensor = tensor.narrow(0, 0, tensor.size(0) - 1);
  }
  try {
    load_state_strict(*model, state);
    EXPECT(false, "%s: a wrong key and shape loaded", family.c_str());
  } catch (const Failure& e) {
    std::string message = e.what();
    EXPECT(contains(message, key) && contains(message, key + "_typo") && contains(message, table),
           "%s: the error does not name the keys: %s", family.c_str(), message.c_str());
  }
}

// reset_parameters_like_hf: deterministic in the seed, Linear and Embedding weights ~ N(0, 0.02)
// (initializer_range), biases 0, the padding row 0 (HF's _init_weights for these families).
void normal_initialisation_is_hf_like(const std::string& family,
                                      const std::function<std::shared_ptr<TextEncoderImpl>(const HfConfig&)>& make,
                                      const std::string& linear_key, const std::string& pad_key, int64_t pad) {
  Reference r = run_reference(family);
  if (r.state.empty()) return;
  auto a = make(r.config), b = make(r.config), c = make(r.config);
  a->reset_parameters_like_hf(7);
  b->reset_parameters_like_hf(7);
  c->reset_parameters_like_hf(8);
  auto pa = a->named_parameters(), pb = b->named_parameters(), pc = c->named_parameters();
  for (const auto& p : pa) EXPECT(p.value().equal(pb[p.key()]), "%s: %s differs for the same seed", family.c_str(), p.key().c_str());
  EXPECT(!pa[linear_key].equal(pc[linear_key]), "%s: seeds 7 and 8 gave the same %s", family.c_str(), linear_key.c_str());
  double spread = pa[linear_key].std().item<double>();
  EXPECT(std::abs(spread / 0.02 - 1) < 0.2, "%s: %s std %g, expected 0.02", family.c_str(), linear_key.c_str(), spread);
  std::string bias_key = linear_key.substr(0, linear_key.size() - 6) + "bias";
  if (pa.contains(bias_key)) EXPECT(pa[bias_key].eq(0).all().item<bool>(), "%s: %s not zero", family.c_str(), bias_key.c_str());
  EXPECT(pa[pad_key][pad].eq(0).all().item<bool>(), "%s: padding row of %s not zero", family.c_str(), pad_key.c_str());
}

void albert_matches_hf() { check_against_reference("albert", make_albert, true); }

void albert_config_errors_name_the_field() {
  HfConfig config;
  config.set("model_type", std::string("albert")).set("hidden_size", 30.0).set("num_attention_heads", 4.0);
  try {
    make_albert(config);
    EXPECT(false, "hidden_size 30 with 4 heads built");
  } catch (const Failure& e) {
    EXPECT(contains(e.what(), "hidden_size") && contains(e.what(), "num_attention_heads"), "%s", e.what());
  }
  config.set("hidden_size", 32.0).set("position_embedding_type", std::string("relative_key"));
  try {
    make_albert(config);
    EXPECT(false, "relative_key built");
  } catch (const Failure& e) {
    EXPECT(e.code == FDL_ERR_UNSUPPORTED && contains(e.what(), "position_embedding_type"), "%s", e.what());
  }
}

void mpnet_matches_hf() { check_against_reference("mpnet", make_mpnet, true); }

// HF's bucketing at hand-computed points: |d| < 8 exact, then log-spaced up to 15, sign in the upper half.
void mpnet_buckets() {
  at::Tensor relative = at::tensor({0, 1, -1, 7, -7, 8, -8, 12, 20, 127, 128, 1000, -1000}, at::kLong);
  // Keys after the query (relative > 0) in the upper half (+16); beyond 7 tokens 8 + floor(log(d / 8) / log(16) * 8)
  // (12 -> 9, 20 -> 10, 127 -> 15), capped at 15.
  std::vector<int64_t> expected = {0, 17, 1, 23, 7, 24, 8, 25, 26, 31, 31, 31, 15};
  at::Tensor buckets = mpnet_relative_position_bucket(relative);
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT(buckets[i].item<int64_t>() == expected[i], "bucket of %ld: %ld, expected %ld", relative[i].item<int64_t>(),
           buckets[i].item<int64_t>(), expected[i]);
}

void deberta_v2_matches_hf() {
  check_against_reference("deberta_v2", make_deberta_v2, false, "v2");
  check_against_reference("deberta_v2", make_deberta_v2, false, "plain");
}

// HF's make_log_bucket_position at hand-computed points (bucket_size 8: mid 4, max_position 24):
// |d| <= 4 exact, beyond sign * (4 + ceil(log(|d| / 4) / log(23 / 4) * 3)).
void deberta_buckets() {
  at::Tensor relative = deberta_relative_positions(24, 8, 24, at::kCPU);
  std::vector<std::pair<int64_t, int64_t>> cases = {{0, 0}, {3, 3}, {4, 4}, {5, 5}, {8, 6}, {13, 7}, {23, 7}};
  for (auto [d, bucket] : cases) {
    EXPECT(relative[d][0].item<int64_t>() == bucket, "bucket of %ld: %ld, expected %ld", d, relative[d][0].item<int64_t>(), bucket);
    EXPECT(relative[0][d].item<int64_t>() == -bucket, "bucket of -%ld: %ld", d, relative[0][d].item<int64_t>());
  }
}

void deberta_config_errors_name_the_field() {
  HfConfig config;
  config.set("model_type", std::string("deberta-v2")).set("hidden_size", 32.0).set("num_attention_heads", 4.0);
  config.set("pos_att_type", std::string("p2c|p2p"));
  try {
    make_deberta_v2(config);
    EXPECT(false, "pos_att_type p2p built");
  } catch (const Failure& e) {
    EXPECT(e.code == FDL_ERR_UNSUPPORTED && contains(e.what(), "pos_att_type") && contains(e.what(), "p2p"), "%s", e.what());
  }
}

void modernbert_matches_hf() {
  check_against_reference("modernbert", make_modernbert, false, "plain");
  check_against_reference("modernbert", make_modernbert, false, "biased");
}

// HF's initialisation: truncated at cutoff std, Wo's std scaled by 1 / sqrt(2 layers), no bias.
void modernbert_initialisation() {
  HfConfig config;
  config.set("model_type", std::string("modernbert")).set("hidden_size", 64.0).set("num_attention_heads", 4.0);
  config.set("num_hidden_layers", 2.0).set("intermediate_size", 96.0).set("vocab_size", 500.0).set("pad_token_id", 0.0);
  auto model = std::dynamic_pointer_cast<ModernBertModelImpl>(make_modernbert(config));
  model->reset_parameters_like_hf(5);
  auto params = model->named_parameters();
  EXPECT(!params.contains("layers.0.attn.Wqkv.bias") && !params.contains("final_norm.bias") &&
             !params.contains("layers.0.attn_norm.weight") && params.contains("layers.1.attn_norm.weight"),
         "ModernBERT's keys: no biases, no attn_norm in layer 0");
  at::Tensor wqkv = params["layers.1.attn.Wqkv.weight"], wo = params["layers.1.attn.Wo.weight"];
  double std_in = wqkv.std().item<double>(), std_out = wo.std().item<double>();
  // A normal truncated at 2 std has std 0.880 of the untruncated one.
  EXPECT(std::abs(std_in / (0.02 * 0.880) - 1) < 0.05, "Wqkv std %g", std_in);
  EXPECT(std::abs(std_out / (0.01 * 0.880) - 1) < 0.08, "Wo std %g", std_out);
  EXPECT(wqkv.abs().max().item<double>() <= 0.04 + 1e-7, "Wqkv beyond the cutoff");
  EXPECT(params["embeddings.norm.weight"].eq(1).all().item<bool>(), "norm weight 1");
}

}  // namespace

// Argument: one case (ctest runs each family and its errors apart); none runs all.
int main(int argc, char** argv) {
  std::map<std::string, std::function<void()>> cases = {
      {"albert", albert_matches_hf},
      {"albert_checks",
       [] {
         normal_initialisation_is_hf_like("albert", make_albert, "encoder.albert_layer_groups.0.albert_layers.0.ffn.weight",
                                          "embeddings.word_embeddings.weight", 0);
         albert_config_errors_name_the_field();
         wrong_key_or_shape_is_named("albert", make_albert, "encoder.albert_layer_groups.1.albert_layers.0.ffn.weight");
       }},
      {"mpnet", mpnet_matches_hf},
      {"mpnet_checks",
       [] {
         normal_initialisation_is_hf_like("mpnet", make_mpnet, "encoder.layer.0.attention.attn.q.weight",
                                          "embeddings.position_embeddings.weight", 1);
         mpnet_buckets();
         wrong_key_or_shape_is_named("mpnet", make_mpnet, "encoder.relative_attention_bias.weight");
       }},
      {"deberta_v2", deberta_v2_matches_hf},
      {"deberta_v2_checks",
       [] {
         normal_initialisation_is_hf_like("deberta_v2", make_deberta_v2, "encoder.layer.0.intermediate.dense.weight",
                                          "embeddings.word_embeddings.weight", 0);
         deberta_buckets();
         deberta_config_errors_name_the_field();
         wrong_key_or_shape_is_named("deberta_v2", make_deberta_v2, "encoder.conv.conv.weight");
       }},
      {"modernbert", modernbert_matches_hf},
      {"modernbert_checks",
       [] {
         modernbert_initialisation();
         wrong_key_or_shape_is_named("modernbert", make_modernbert, "layers.1.attn_norm.weight");
       }},
  };
  for (const auto& [name, run] : cases) {
    if (argc > 1 && name != argv[1]) continue;
    try {
      run();
    } catch (const std::exception& e) {
      EXPECT(false, "%s threw: %s", name.c_str(), e.what());
    }
  }
  EXPECT_REPORT();
}
