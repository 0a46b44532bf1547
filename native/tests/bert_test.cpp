// The BERT module in C++: HF's parameter keys, HF's initialisation, padding invariance, the
// reductions on hand-computed cases, dropout only in train mode, gradient checkpointing, and strict
// state loading.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "abi/api_guard.h"
#include "nn/bert.h"
#include "check.h"
#include "nn/sequence_reduce.h"
#include "nn/state_dict.h"
#include "optim/mixed_precision.h"

using namespace fdl;

namespace {

BertOptions tiny_options() {
  BertOptions o;
  o.vocab_size = 11;
  o.hidden_size = 8;
  o.num_hidden_layers = 2;
  o.num_attention_heads = 2;
  o.intermediate_size = 12;
  o.max_position_embeddings = 16;
  o.type_vocab_size = 2;
  o.hidden_dropout_prob = 0.1;
  o.attention_probs_dropout_prob = 0.1;
  return o;
}

BertModel tiny_model(uint64_t seed, at::ScalarType dtype = at::kDouble, BertOptions o = tiny_options()) {
  BertModel model(o);
  model->to(dtype);
  model->reset_parameters_like_hf(seed);
  model->eval();
  return model;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// HF BertModel(config).named_parameters() for two layers, in HF's order.
std::vector<std::string> hf_keys(int layers) {
  std::vector<std::string> keys = {"embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
                                   "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight",
                                   "embeddings.LayerNorm.bias"};
  const char* per_layer[] = {"attention.self.query.weight",  "attention.self.query.bias",
                             "attention.self.key.weight",    "attention.self.key.bias",
                             "attention.self.value.weight",  "attention.self.value.bias",
                             "attention.output.dense.weight", "attention.output.dense.bias",
                             "attention.output.LayerNorm.weight", "attention.output.LayerNorm.bias",
                             "intermediate.dense.weight",    "intermediate.dense.bias",
                             "output.dense.weight",          "output.dense.bias",
                             "output.LayerNorm.weight",      "output.LayerNorm.bias"};
  for (int i = 0; i < layers; ++i)
    for (const char* k : per_layer) keys.push_back("encoder.layer." + std::to_string(i) + "." + k);
  keys.push_back("pooler.dense.weight");
  keys.push_back("pooler.dense.bias");
  return keys;
}

void parameter_keys_are_hf_keys() {
  BertModel model = tiny_model(1);
  std::vector<std::string> names;
  for (const auto& p : model->named_parameters()) names.push_back(p.key());
  std::vector<std::string> expected = hf_keys(2);
  EXPECT(names == expected, "named_parameters differ from HF's keys (%zu vs %zu names)", names.size(),
         expected.size());
  for (size_t i = 0; i < std::min(names.size(), expected.size()); ++i)
    EXPECT(names[i] == expected[i], "key %zu: %s, HF: %s", i, names[i].c_str(), expected[i].c_str());
  EXPECT(model->named_buffers().size() == 0, "no buffers expected");
  auto params = model->named_parameters();
  EXPECT(params["encoder.layer.1.intermediate.dense.weight"].sizes() == at::IntArrayRef({12, 8}), "intermediate");
  EXPECT(params["encoder.layer.0.output.dense.weight"].sizes() == at::IntArrayRef({8, 12}), "output");
  EXPECT(params["embeddings.position_embeddings.weight"].sizes() == at::IntArrayRef({16, 8}), "positions");
}

void initialisation_is_hf() {
  BertModel a = tiny_model(5), b = tiny_model(5), c = tiny_model(6);
  auto pa = a->named_parameters(), pb = b->named_parameters(), pc = c->named_parameters();
  bool same = true, differs = false;
  for (const auto& item : pa) {
    same = same && at::equal(item.value(), pb[item.key()]);
    differs = differs || !at::equal(item.value(), pc[item.key()]);
    const std::string& k = item.key();
    if (contains(k, "LayerNorm.weight")) {
      EXPECT(at::equal(item.value(), at::ones_like(item.value())), "%s must be ones", k.c_str());
    } else if (contains(k, ".bias")) {
      EXPECT(at::equal(item.value(), at::zeros_like(item.value())), "%s must be zeros", k.c_str());
    }
  }
  EXPECT(same && differs, "initialisation must be a function of the seed");
  at::Tensor words = pa["embeddings.word_embeddings.weight"];
  EXPECT(words[0].abs().sum().item<double>() == 0.0, "padding row 0 must be zero");
  BertOptions big = tiny_options();
  big.hidden_size = 64;
  big.intermediate_size = 64;
  big.vocab_size = 500;
  big.num_attention_heads = 4;
  double std = tiny_model(3, at::kDouble, big)->encoder->layer[0]->as<BertLayer>()->intermediate->dense->weight.std()
                   .item<double>();
  EXPECT(std > 0.018 && std < 0.022, "Linear weight std %f, expected ~0.02", std);
}

// [B, T] int64 from rows, padded with pad to length
at::Tensor rows_to_tensor(const std::vector<std::vector<int64_t>>& rows, int64_t length, int64_t pad) {
  at::Tensor t = at::full({static_cast<int64_t>(rows.size()), length}, pad, at::kLong);
  for (size_t i = 0; i < rows.size(); ++i)
    for (size_t j = 0; j < rows[i].size(); ++j) t[i][j] = rows[i][j];
  return t;
}

void padding_does_not_change_outputs(at::ScalarType dtype, double tolerance) {
  BertModel model = tiny_model(2, dtype);
  at::NoGradGuard no_grad;
  std::vector<std::vector<int64_t>> ids = {{2, 5, 7}, {3, 9, 4, 1, 6}};
  std::vector<std::vector<int64_t>> types = {{0, 0, 1}, {0, 1, 1, 1, 0}};
  std::vector<std::vector<int64_t>> ones = {{1, 1, 1}, {1, 1, 1, 1, 1}};
  const char* reduce_names[] = {"cls_pooled", "sum", "mean", "last"};
  auto run = [&](int64_t length) {
    at::Tensor mask = rows_to_tensor(ones, length, 0);
    TextEncoderOutput out = model->forward(rows_to_tensor(ids, length, 0), mask, rows_to_tensor(types, length, 0));
    std::vector<at::Tensor> results = {out.last_hidden_state};
    for (auto mode : {SequenceReduce::ClsPooled, SequenceReduce::Sum, SequenceReduce::Mean, SequenceReduce::Last})
      results.push_back(reduce_sequence(out.last_hidden_state, mask, out.pooler_output, mode));
    return results;
  };
  std::vector<at::Tensor> short_pad = run(5), long_pad = run(9);
  for (int row = 0; row < 2; ++row) {
    int64_t n = static_cast<int64_t>(ids[row].size());
    double diff = (short_pad[0][row].slice(0, 0, n) - long_pad[0][row].slice(0, 0, n)).abs().max().item<double>();
    EXPECT(diff <= tolerance, "%s row %d: hidden states moved by %g with more padding", c10::toString(dtype), row, diff);
  }
  for (int r = 1; r <= 4; ++r) {
    double diff = (short_pad[r] - long_pad[r]).abs().max().item<double>();
    EXPECT(diff <= tolerance, "%s reduce %s moved by %g with more padding", c10::toString(dtype), reduce_names[r - 1],
           diff);
  }
  EXPECT(short_pad[0].sizes() == at::IntArrayRef({2, 5, 8}), "last_hidden_state shape");
}

void fully_padded_row_is_finite_like_hf() {
  BertModel model = tiny_model(4, at::kFloat);
  at::NoGradGuard no_grad;
  at::Tensor ids = rows_to_tensor({{2, 3, 4}, {0, 0, 0}}, 3, 0);
  at::Tensor mask = rows_to_tensor({{1, 1, 1}, {0, 0, 0}}, 3, 0);
  TextEncoderOutput out = model->forward(ids, mask);
  EXPECT(out.last_hidden_state.isfinite().all().item<bool>(), "a fully padded row must not produce NaN/inf");
  at::Tensor mean = reduce_sequence(out.last_hidden_state, mask, out.pooler_output, SequenceReduce::Mean);
  EXPECT(mean[1].abs().sum().item<double>() == 0.0, "mean of a fully padded row is 0");
}

void reductions_on_hand_computed_case() {
  // hidden[b][t] = {10b + t, -(10b + t)}; row 0 keeps tokens 0,1 (right padding), row 1 keeps 1,2 (left).
  at::Tensor hidden = at::empty({2, 3, 2}, at::kDouble);
  for (int b = 0; b < 2; ++b)
    for (int t = 0; t < 3; ++t) {
      hidden[b][t][0] = 10.0 * b + t;
      hidden[b][t][1] = -(10.0 * b + t);
    }
  at::Tensor mask = rows_to_tensor({{1, 1, 0}, {0, 1, 1}}, 3, 0);
  at::Tensor pooled = at::full({2, 2}, 7.0, at::kDouble);
  auto expect_rows = [&](SequenceReduce mode, const char* name, std::vector<double> expected) {
    at::Tensor got = reduce_sequence(hidden, mask, pooled, mode);
    at::Tensor want = at::tensor(expected, at::kDouble).view({2, 2});
    EXPECT(got.sizes() == want.sizes() && at::allclose(got, want, 0, 1e-12), "%s wrong", name);
  };
  expect_rows(SequenceReduce::Sum, "sum", {1, -1, 23, -23});            // 0+1 ; 11+12
  expect_rows(SequenceReduce::Mean, "mean", {0.5, -0.5, 11.5, -11.5});
  expect_rows(SequenceReduce::Last, "last", {1, -1, 12, -12});          // token 1 ; token 2
  expect_rows(SequenceReduce::ClsPooled, "cls_pooled", {7, 7, 7, 7});
  // Unmasked, row 0's padding token 2 would win feature 0 (2 > 1) and row 1's padding token 0 feature 1 (-10 > -11).
  expect_rows(SequenceReduce::Max, "max", {1, 0, 12, -11});
  EXPECT(at::equal(reduce_sequence(hidden, mask, pooled, SequenceReduce::None), hidden), "none is the identity");
  at::Tensor all_padding = rows_to_tensor({{0, 0, 0}, {1, 1, 1}}, 3, 0);
  at::Tensor max = reduce_sequence(hidden, all_padding, pooled, SequenceReduce::Max);
  EXPECT(at::equal(max[0], at::zeros({2}, at::kDouble)) && at::allclose(max[1], at::tensor({12.0, -10.0}, at::kDouble)),
         "max: a fully padded row gives 0, a full row its plain max");
}

// Without layers the encoder is the embedding sum under LayerNorm; checked element by element.
void embeddings_and_pooler_by_hand() {
  BertOptions o = tiny_options();
  o.num_hidden_layers = 0;
  o.layer_norm_eps = 1e-5;
  BertModel model = tiny_model(9, at::kDouble, o);
  at::NoGradGuard no_grad;
  {  // non-trivial LayerNorm and pooler bias, so that both appear in the result
    model->embeddings->LayerNorm->weight.normal_();
    model->embeddings->LayerNorm->bias.normal_();
    model->pooler->dense->bias.normal_();
  }
  at::Tensor ids = rows_to_tensor({{4, 1, 7}}, 3, 0), types = rows_to_tensor({{0, 1, 1}}, 3, 0);
  TextEncoderOutput out = model->forward(ids, at::ones({1, 3}, at::kLong), types);
  auto& e = *model->embeddings;
  double worst = 0;
  std::vector<at::Tensor> rows;
  for (int64_t t = 0; t < 3; ++t) {
    at::Tensor x = e.word_embeddings->weight[ids[0][t].item<int64_t>()] +
                   e.token_type_embeddings->weight[types[0][t].item<int64_t>()] + e.position_embeddings->weight[t];
    at::Tensor centred = x - x.mean();
    at::Tensor normed = centred / (centred.pow(2).mean() + 1e-5).sqrt() * e.LayerNorm->weight + e.LayerNorm->bias;
    rows.push_back(normed);
    worst = std::max(worst, (normed - out.last_hidden_state[0][t]).abs().max().item<double>());
  }
  at::Tensor pooled = at::tanh(at::mv(model->pooler->dense->weight, rows[0]) + model->pooler->dense->bias);
  worst = std::max(worst, (pooled - out.pooler_output[0]).abs().max().item<double>());
  EXPECT(worst < 1e-12, "embeddings/pooler differ from the hand computation by %g", worst);
}

void dropout_only_in_train_mode() {
  BertModel model = tiny_model(8, at::kFloat);
  at::NoGradGuard no_grad;
  at::Tensor ids = rows_to_tensor({{2, 3, 4, 5}}, 4, 0), mask = at::ones({1, 4}, at::kLong);
  at::Tensor e1 = model->forward(ids, mask).last_hidden_state, e2 = model->forward(ids, mask).last_hidden_state;
  EXPECT(at::equal(e1, e2), "eval mode must be deterministic");
  model->train();
  at::Tensor t1 = model->forward(ids, mask).last_hidden_state, t2 = model->forward(ids, mask).last_hidden_state;
  EXPECT(!at::equal(t1, t2), "train mode must apply dropout");
}

// trainer.enable_gradient_checkpointing: with dropout on, recomputing each layer in backward gives
// the plain forward's gradients (the masks are replayed, and under bf16 autocast the recomputation
// runs in bf16 too), and leaves the global generator where the plain run leaves it.
void checkpointing_gives_the_same_gradients(bool bf16_autocast) {
  BertOptions o = tiny_options();
  o.num_hidden_layers = 3;
  BertModel model = tiny_model(5, at::kFloat, o);
  model->train();
  at::Tensor ids = at::randint(1, o.vocab_size, {3, 6}, at::kLong), mask = at::ones({3, 6}, at::kLong);
  mask[2].narrow(0, 4, 2).zero_();
  auto gradients = [&](bool checkpointing, at::Tensor* next_draw) {
    model->encoder->gradient_checkpointing = checkpointing;
    model->zero_grad();
    at::manual_seed(11);
    at::Tensor loss;
    {
      AutocastGuard autocast(bf16_autocast, at::kCPU, at::kBFloat16);
      TextEncoderOutput out = model->forward(ids, mask);
      loss = out.last_hidden_state.to(at::kFloat).pow(2).sum() + out.pooler_output.to(at::kFloat).sum();
    }
    loss.backward();
    *next_draw = at::rand({4});
    std::vector<at::Tensor> grads;
    for (const auto& p : model->parameters()) grads.push_back(p.grad().clone());
    return grads;
  };
  at::Tensor plain_draw, checkpointed_draw;
  auto plain = gradients(false, &plain_draw), checkpointed = gradients(true, &checkpointed_draw);
  double worst = 0, largest = 0;
  for (size_t i = 0; i < plain.size(); ++i) {
    worst = std::max(worst, (plain[i] - checkpointed[i]).abs().max().item<double>());
    largest = std::max(largest, plain[i].abs().max().item<double>());
  }
  std::printf("checkpointed gradients%s: largest difference %g (largest gradient %g)\n",
              bf16_autocast ? " under bf16 autocast" : "", worst, largest);
  // bf16: the layers' parameter gradients are summed in another order (inside the recomputation's
  // backward), a few ulps of float32 at gradients near 100.
  double tolerance = bf16_autocast ? 1e-6 * largest : 1e-5;
  EXPECT(worst < tolerance && largest > 1e-3, "gradients differ by %g", worst);
  EXPECT(at::equal(plain_draw, checkpointed_draw), "the recomputation must not move the global generator");
}

NamedTensors state_of(BertModel& model) {
  NamedTensors state;
  for (const auto& p : model->named_parameters()) state.emplace_back(p.key(), p.value().detach().clone());
  return state;
}

std::string load_error(BertModel& model, const NamedTensors& state, const StrictLoadOptions& options = {}) {
  try {
    load_state_strict(*model, state, options);
  } catch (const Failure& f) {
    EXPECT(f.code == FDL_ERR_INVALID_ARGUMENT, "code %d", f.code);
    return f.what();
  }
  return "";
}

void strict_loading_lists_every_problem() {
  BertModel source = tiny_model(10), target = tiny_model(11);
  NamedTensors good = state_of(source);
  at::Tensor before = target->pooler->dense->weight.clone();

  NamedTensors bad;
  for (auto& [name, t] : good) {
    if (name == "pooler.dense.weight") continue;                                  // missing
    if (name == "encoder.layer.1.intermediate.dense.weight") {
      bad.emplace_back(name, at::zeros({12, 9}, at::kDouble));                    // shape mismatch
    } else {
      bad.emplace_back(name, t);
    }
  }
  bad.emplace_back("cls.predictions.bias", at::zeros({11}, at::kDouble));         // unexpected
  std::string message = load_error(target, bad);
  EXPECT(contains(message, "missing keys: pooler.dense.weight"), "missing key named: %s", message.c_str());
  EXPECT(contains(message, "unexpected keys: cls.predictions.bias"), "unexpected key named: %s", message.c_str());
  EXPECT(contains(message, "encoder.layer.1.intermediate.dense.weight: checkpoint [12, 9] vs model [12, 8]"),
         "shape mismatch with both shapes: %s", message.c_str());
  EXPECT(at::equal(before, target->pooler->dense->weight), "a failed load must leave the model unchanged");

  NamedTensors prefixed;
  for (auto& [name, t] : good) prefixed.emplace_back("bert." + name, t);
  message = load_error(target, prefixed);
  EXPECT(contains(message, "HINT") && contains(message, "'bert.'"), "prefix hint: %s", message.c_str());

  NamedTensors without_pooler;
  for (auto& [name, t] : good)
    if (name.rfind("pooler.", 0) != 0) without_pooler.emplace_back(name, t);
  StrictLoadOptions allow;
  allow.allow_missing_prefixes = {"pooler."};
  LoadReport report = load_state_strict(*target, without_pooler, allow);
  EXPECT((report.left_at_initialisation == std::vector<std::string>{"pooler.dense.bias", "pooler.dense.weight"}),
         "left at initialisation: %zu keys", report.left_at_initialisation.size());
  EXPECT(report.loaded.size() == good.size() - 2, "loaded %zu", report.loaded.size());
  EXPECT(at::equal(target->embeddings->word_embeddings->weight, source->embeddings->word_embeddings->weight),
         "values copied");
  EXPECT(at::equal(before, target->pooler->dense->weight), "pooler left at initialisation");
  EXPECT(!target->embeddings->word_embeddings->weight.is_same(source->embeddings->word_embeddings->weight),
         "copied, not aliased");

  NamedTensors twice = good;
  twice.push_back(good[0]);
  EXPECT(contains(load_error(target, twice), "duplicated keys: embeddings.word_embeddings.weight"), "duplicates");
}

}  // namespace

int main() {
  parameter_keys_are_hf_keys();
  initialisation_is_hf();
  padding_does_not_change_outputs(at::kDouble, 1e-12);
  padding_does_not_change_outputs(at::kFloat, 1e-6);
  fully_padded_row_is_finite_like_hf();
  reductions_on_hand_computed_case();
  embeddings_and_pooler_by_hand();
  dropout_only_in_train_mode();
  checkpointing_gives_the_same_gradients(false);
  checkpointing_gives_the_same_gradients(true);
  strict_loading_lists_every_problem();
  EXPECT_REPORT();
}
