// The text encoder C ABI as Java uses it, on BERT: config and input validation, reduced outputs,
// strict loading through handles, gradients against central finite differences, and a frozen
// model; and the family chosen by config.json's model_type, with what describe reports.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "specs.h"
#include "fidelio_testing.h"

namespace {

char err[4096];

bool has(const char* text, const char* part) { return std::strstr(text, part) != nullptr; }

fdl_text_encoder* tiny_bert(int32_t dtype, uint64_t seed, double init_range = 0.02) {
  fdl_text_encoder* bert = nullptr;
  int32_t rc = specs::new_bert(/*vocab*/ 11, /*hidden*/ 8, /*layers*/ 2, /*heads*/ 2, /*intermediate*/ 12,
                            "gelu", /*max_positions*/ 16, /*type_vocab*/ 2, 1e-12, 0.1, 0.1,
                            /*pad*/ 0, init_range, dtype, seed, &bert, err, sizeof err);
  EXPECT(rc == FDL_OK, "fdl_text_encoder_new: %s", err);
  return bert;
}

fdl_tensor* longs(std::vector<int64_t> shape, const std::vector<int64_t>& data) {
  fdl_tensor* t = nullptr;
  EXPECT(fdl_tensor_new(FDL_DTYPE_INT64, shape.data(), (int32_t)shape.size(), data.data(), data.size() * 8, &t, err,
                        sizeof err) == FDL_OK,
         "%s", err);
  return t;
}

fdl_tensor* doubles(std::vector<int64_t> shape, const std::vector<double>& data) {
  fdl_tensor* t = nullptr;
  EXPECT(fdl_tensor_new(FDL_DTYPE_FLOAT64, shape.data(), (int32_t)shape.size(), data.data(), data.size() * 8, &t,
                        err, sizeof err) == FDL_OK,
         "%s", err);
  return t;
}

std::vector<int64_t> shape_of(const fdl_tensor* t) {
  int32_t ndim = 0;
  int64_t shape[FDL_MAX_DIMS];
  fdl_tensor_ndim(t, &ndim, err, sizeof err);
  fdl_tensor_shape(t, shape, FDL_MAX_DIMS, err, sizeof err);
  return std::vector<int64_t>(shape, shape + ndim);
}

std::vector<double> values_of(const fdl_tensor* t) {
  fdl_tensor* d = nullptr;
  EXPECT(fdl_tensor_to(t, FDL_DTYPE_FLOAT64, FDL_DEVICE_CPU, 0, &d, err, sizeof err) == FDL_OK, "%s", err);
  size_t n = 1;
  for (int64_t s : shape_of(d)) n *= s;
  std::vector<double> v(n);
  EXPECT(fdl_tensor_copy_to_host(d, v.data(), n * 8, err, sizeof err) == FDL_OK, "%s", err);
  fdl_tensor_free(d);
  return v;
}

std::map<std::string, int32_t> parameter_indices(const fdl_text_encoder* bert) {
  int32_t count = 0;
  EXPECT(fdl_module_state_count(bert, &count, err, sizeof err) == FDL_OK, "%s", err);
  std::map<std::string, int32_t> indices;
  char name[256];
  for (int32_t i = 0; i < count; ++i) {
    EXPECT(fdl_module_state_name(bert, i, name, sizeof name, err, sizeof err) == FDL_OK, "%s", err);
    indices[name] = i;
  }
  return indices;
}

// A batch of two sequences of lengths 3 and 5, padded to 5.
struct Batch {
  fdl_tensor *ids, *mask;
  Batch()
      : ids(longs({2, 5}, {2, 5, 7, 0, 0, 3, 9, 4, 1, 6})), mask(longs({2, 5}, {1, 1, 1, 0, 0, 1, 1, 1, 1, 1})) {}
  ~Batch() {
    fdl_tensor_free(ids);
    fdl_tensor_free(mask);
  }
};

void config_is_validated() {
  fdl_text_encoder* bert = nullptr;
  EXPECT(specs::new_bert(11, 10, 1, 3, 12, "gelu", 16, 2, 1e-12, 0.1, 0.1, 0, 0.02, FDL_DTYPE_FLOAT32, 1,
                      &bert, err, sizeof err) == FDL_ERR_INVALID_ARGUMENT &&
             has(err, "hidden_size (10)") && has(err, "num_attention_heads (3)"),
         "heads must divide hidden: %s", err);
  EXPECT(specs::new_bert(11, 8, 1, 2, 12, "swish", 16, 2, 1e-12, 0.1, 0.1, 0, 0.02, FDL_DTYPE_FLOAT32, 1, &bert, err,
                      sizeof err) == FDL_ERR_UNSUPPORTED &&
             has(err, "hidden_act \"swish\""),
         "activation: %s", err);
  EXPECT(specs::new_bert(11, 8, 1, 2, 12, "gelu", 16, 2, 1e-12, 1.5, 0.1, 0, 0.02, FDL_DTYPE_FLOAT32, 1,
                      &bert, err, sizeof err) == FDL_ERR_INVALID_ARGUMENT &&
             has(err, "hidden_dropout_prob"),
         "dropout: %s", err);
}

void forward_shapes_and_validation() {
  fdl_text_encoder* bert = tiny_bert(FDL_DTYPE_FLOAT32, 1);
  Batch b;
  int32_t count = 0;
  EXPECT(fdl_module_state_count(bert, &count, err, sizeof err) == FDL_OK && count == 5 + 2 * 16 + 2, "count %d",
         count);
  fdl_tensor* out = nullptr;
  for (int32_t reduce : {FDL_REDUCE_CLS_POOLED, FDL_REDUCE_SUM, FDL_REDUCE_MEAN, FDL_REDUCE_LAST, FDL_REDUCE_NONE,
                         FDL_REDUCE_MAX}) {
    EXPECT(fdl_text_encoder_forward(bert, b.ids, b.mask, reduce, &out, err,
                            sizeof err) == FDL_OK,
           "reduce %d: %s", reduce, err);
    std::vector<int64_t> want = reduce == FDL_REDUCE_NONE ? std::vector<int64_t>{2, 5, 8} : std::vector<int64_t>{2, 8};
    EXPECT(shape_of(out) == want, "reduce %d shape", reduce);
    fdl_tensor_free(out);
  }
  // Two eval-mode forwards agree although the model is in train mode with dropout.
  fdl_tensor *o1 = nullptr, *o2 = nullptr;
  fdl_text_encoder_forward(bert, b.ids, b.mask, FDL_REDUCE_NONE, &o1, err, sizeof err);
  fdl_text_encoder_forward(bert, b.ids, b.mask, FDL_REDUCE_NONE, &o2, err, sizeof err);
  EXPECT(values_of(o1) == values_of(o2), "forward runs in eval mode");
  fdl_tensor_free(o1);
  fdl_tensor_free(o2);

  fdl_tensor* big_id = longs({1, 2}, {2, 11});
  fdl_tensor* mask2 = longs({1, 2}, {1, 1});
  EXPECT(fdl_text_encoder_forward(bert, big_id, mask2, FDL_REDUCE_MEAN, &out, err, sizeof err) ==
                 FDL_ERR_INVALID_ARGUMENT &&
             has(err, "[0, 11)") && has(err, "from 2 to 11"),
         "id out of vocab: %s", err);
  fdl_tensor* ids2 = longs({1, 2}, {2, 3});
  fdl_tensor* mask_bad = longs({1, 2}, {1, 2});
  EXPECT(fdl_text_encoder_forward(bert, ids2, mask_bad, FDL_REDUCE_MEAN, &out, err, sizeof err) ==
                 FDL_ERR_INVALID_ARGUMENT &&
             has(err, "only 0 and 1"),
         "mask values: %s", err);
  EXPECT(fdl_text_encoder_forward(bert, ids2, b.mask, FDL_REDUCE_MEAN, &out, err, sizeof err) ==
                 FDL_ERR_INVALID_ARGUMENT &&
             has(err, "[2, 5]") && has(err, "[1, 2]"),
         "mask shape: %s", err);
  EXPECT(fdl_text_encoder_forward(bert, ids2, mask2, 9, &out, err, sizeof err) == FDL_ERR_INVALID_ARGUMENT &&
             has(err, "reduce_output 9"),
         "reduce code: %s", err);
  std::vector<int64_t> long_ids(17, 1);
  fdl_tensor* too_long = longs({1, 17}, long_ids);
  fdl_tensor* long_mask = longs({1, 17}, long_ids);
  EXPECT(fdl_text_encoder_forward(bert, too_long, long_mask, FDL_REDUCE_MEAN, &out, err, sizeof err) ==
                 FDL_ERR_INVALID_ARGUMENT &&
             has(err, "length 17") && has(err, "max_sequence_length 16"),
         "length: %s", err);
  fdl_tensor* float_ids = doubles({1, 2}, {2, 3});
  EXPECT(fdl_text_encoder_forward(bert, float_ids, mask2, FDL_REDUCE_MEAN, &out, err, sizeof err) ==
                 FDL_ERR_INVALID_ARGUMENT &&
             has(err, "int64"),
         "ids dtype: %s", err);
  EXPECT(fdl_text_encoder_forward(reinterpret_cast<fdl_text_encoder*>(b.ids), ids2, mask2, FDL_REDUCE_MEAN, &out, err,
                          sizeof err) == FDL_ERR_INVALID_HANDLE &&
             has(err, "is an fdl_tensor"),
         "wrong handle kind: %s", err);
  for (fdl_tensor* t : {big_id, mask2, ids2, mask_bad, too_long, long_mask, float_ids}) fdl_tensor_free(t);
  EXPECT(fdl_text_encoder_free(bert) == FDL_OK && fdl_text_encoder_free(bert) == FDL_ERR_INVALID_HANDLE, "free once");
}

void state_loads_through_handles() {
  fdl_text_encoder* source = tiny_bert(FDL_DTYPE_FLOAT32, 1);
  fdl_text_encoder* target = tiny_bert(FDL_DTYPE_FLOAT32, 2);
  std::vector<std::string> names;
  std::vector<fdl_tensor*> tensors;
  for (const auto& [name, index] : parameter_indices(source)) {
    if (name.rfind("pooler.", 0) == 0) continue;
    fdl_tensor* t = nullptr;
    EXPECT(fdl_module_state_get(source, index, &t, err, sizeof err) == FDL_OK, "%s", err);
    names.push_back(name);
    tensors.push_back(t);
  }
  std::vector<const char*> c_names;
  for (const auto& n : names) c_names.push_back(n.c_str());
  char left[256];
  int32_t n = (int32_t)names.size();
  EXPECT(fdl_module_load_state(target, c_names.data(), tensors.data(), n, nullptr, left, sizeof left, err,
                             sizeof err) == FDL_ERR_INVALID_ARGUMENT &&
             has(err, "2 missing") && has(err, "pooler.dense.weight") && has(err, "pooler.dense.bias"),
         "pooler missing: %s", err);
  EXPECT(fdl_module_load_state(target, c_names.data(), tensors.data(), n, "cls., pooler.", left, sizeof left, err,
                             sizeof err) == FDL_OK,
         "%s", err);
  EXPECT(std::strcmp(left, "pooler.dense.bias,pooler.dense.weight") == 0, "left at init: '%s'", left);

  Batch b;
  fdl_tensor *a = nullptr, *c = nullptr;
  fdl_text_encoder_forward(source, b.ids, b.mask, FDL_REDUCE_MEAN, &a, err, sizeof err);
  fdl_text_encoder_forward(target, b.ids, b.mask, FDL_REDUCE_MEAN, &c, err, sizeof err);
  EXPECT(values_of(a) == values_of(c), "loaded model computes the source's encoder output");
  fdl_tensor_free(a);
  fdl_tensor_free(c);
  for (fdl_tensor* t : tensors) fdl_tensor_free(t);
  fdl_text_encoder_free(source);
  fdl_text_encoder_free(target);
}

// loss(θ) = sum(output * weight) through the C ABI.
double loss_of(fdl_text_encoder* bert, const Batch& b, int32_t reduce, const fdl_tensor* weight) {
  double loss = 0;
  EXPECT(fdl_text_encoder_loss_grad(bert, b.ids, b.mask, reduce, weight, &loss, err, sizeof err) == FDL_OK, "%s",
         err);
  return loss;
}

void gradients_match_finite_differences() {
  // Weights ~ N(0, 0.5) rather than 0.02, so that attention is far from uniform and every
  // gradient is well above finite-difference noise. Dropout 0.1: loss_grad must switch it off.
  fdl_text_encoder* bert = tiny_bert(FDL_DTYPE_FLOAT64, 3, 0.5);
  auto index = parameter_indices(bert);
  Batch b;
  std::mt19937 rng(5);
  std::normal_distribution<double> normal;
  struct Probe {
    const char* name;
    int64_t flat;  // element index in the flattened parameter
  };
  const Probe probes[] = {{"embeddings.word_embeddings.weight", 9 * 8 + 3},  // id 9, column 3
                          {"embeddings.position_embeddings.weight", 1 * 8 + 0},
                          {"embeddings.token_type_embeddings.weight", 0 * 8 + 5},  // all token types are 0
                          {"embeddings.LayerNorm.weight", 2},
                          {"encoder.layer.0.attention.self.query.weight", 1 * 8 + 2},
                          {"encoder.layer.0.attention.self.value.bias", 4},  // (key.bias: zero gradient, softmax shift)
                          {"encoder.layer.1.intermediate.dense.weight", 7 * 8 + 1},
                          {"encoder.layer.1.output.LayerNorm.bias", 3},
                          {"pooler.dense.weight", 0 * 8 + 1}};
  double worst = 0;
  for (int32_t reduce : {FDL_REDUCE_CLS_POOLED, FDL_REDUCE_MEAN, FDL_REDUCE_LAST}) {
    std::vector<double> w(16);
    for (double& x : w) x = normal(rng);
    fdl_tensor* weight = doubles({2, 8}, w);
    loss_of(bert, b, reduce, weight);  // leaves gradients in place
    for (const Probe& probe : probes) {
      bool pooler = std::strncmp(probe.name, "pooler.", 7) == 0;
      if (pooler != (reduce == FDL_REDUCE_CLS_POOLED)) continue;
      int32_t i = index.at(probe.name);
      fdl_tensor *param = nullptr, *grad = nullptr;
      fdl_module_state_get(bert, i, &param, err, sizeof err);
      fdl_module_state_gradient(bert, i, &grad, err, sizeof err);
      std::vector<double> theta = values_of(param), g = values_of(grad);
      std::vector<int64_t> shape = shape_of(param);
      double h = 1e-5, analytic = g[probe.flat];
      auto loss_at = [&](double value) {
        std::vector<double> moved = theta;
        moved[probe.flat] = value;
        fdl_tensor* t = doubles(shape, moved);
        EXPECT(fdl_module_state_set(bert, i, t, err, sizeof err) == FDL_OK, "%s", err);
        fdl_tensor_free(t);
        return loss_of(bert, b, reduce, weight);  // the analytic gradient was read before
      };
      double numeric = (loss_at(theta[probe.flat] + h) - loss_at(theta[probe.flat] - h)) / (2 * h);
      loss_at(theta[probe.flat]);
      double scale = std::max(std::abs(analytic), std::abs(numeric));
      EXPECT(scale > 1e-8, "reduce %d %s: gradient is ~0 (%g), probe a different element", reduce, probe.name, scale);
      worst = std::max(worst, std::abs(analytic - numeric) / scale);
      EXPECT(std::abs(analytic - numeric) <= 1e-6 * scale,
             "reduce %d %s[%lld]: autograd %.12g vs finite difference %.12g", reduce, probe.name,
             (long long)probe.flat, analytic, numeric);
      fdl_tensor_free(param);
      fdl_tensor_free(grad);
    }
    fdl_tensor_free(weight);
  }
  std::printf("gradients vs central differences: worst relative error %.2e\n", worst);
  fdl_tensor* wrong = doubles({2, 5}, std::vector<double>(10, 1.0));
  double loss = 0;
  EXPECT(fdl_text_encoder_loss_grad(bert, b.ids, b.mask, FDL_REDUCE_MEAN, wrong, &loss, err, sizeof err) ==
                 FDL_ERR_INVALID_ARGUMENT &&
             has(err, "[2, 8]"),
         "weight shape: %s", err);
  fdl_tensor_free(wrong);
  fdl_text_encoder_free(bert);
}

void frozen_model_has_no_gradients() {
  fdl_text_encoder* bert = tiny_bert(FDL_DTYPE_FLOAT32, 4);
  Batch b;
  fdl_tensor* weight = nullptr;
  int64_t shape[] = {2, 8};
  std::vector<float> ones(16, 1.f);
  fdl_tensor_new(FDL_DTYPE_FLOAT32, shape, 2, ones.data(), 64, &weight, err, sizeof err);
  int32_t count = 0, has_grad = 0, with_grad = 0;
  fdl_module_state_count(bert, &count, err, sizeof err);

  double trained_loss = loss_of(bert, b, FDL_REDUCE_CLS_POOLED, weight);
  for (int32_t i = 0; i < count; ++i) {
    fdl_module_state_has_gradient(bert, i, &has_grad, err, sizeof err);
    with_grad += has_grad;
  }
  EXPECT(with_grad == count, "a trainable model gets gradients for all %d parameters, got %d", count, with_grad);

  EXPECT(fdl_text_encoder_set_trainable(bert, 0, err, sizeof err) == FDL_OK, "%s", err);
  double frozen_loss = loss_of(bert, b, FDL_REDUCE_CLS_POOLED, weight);
  with_grad = 0;
  for (int32_t i = 0; i < count; ++i) {
    fdl_module_state_has_gradient(bert, i, &has_grad, err, sizeof err);
    with_grad += has_grad;
  }
  EXPECT(with_grad == 0, "a frozen model must hold no gradients, %d do", with_grad);
  EXPECT(frozen_loss == trained_loss, "same loss frozen (%g) and trainable (%g)", frozen_loss, trained_loss);
  fdl_tensor_free(weight);
  fdl_text_encoder_free(bert);
}

// Each family from its config.json fields; describe reports what tokenising and the heads need.
void families_by_model_type() {
  auto text = [](const char* key, const char* value) { return fdl_config_value{key, FDL_CONFIG_TEXT, 0, value}; };
  auto number = [](const char* key, double value) { return fdl_config_value{key, FDL_CONFIG_NUMBER, value, nullptr}; };
  struct Case {
    const char* model_type;
    int64_t max_sequence_length;  // RoBERTa: max_position_embeddings (20) - pad_token_id (1) - 1
    int32_t has_pooler;
  };
  for (Case c : {Case{"roberta", 18, 1}, Case{"xlm-roberta", 18, 1}, Case{"electra", 20, 0}}) {
    fdl_config_value values[] = {text("model_type", c.model_type), number("vocab_size", 30), number("hidden_size", 8),
                                 number("num_hidden_layers", 1), number("num_attention_heads", 2),
                                 number("intermediate_size", 12), number("max_position_embeddings", 20),
                                 number("embedding_size", 4), number("pad_token_id", 1)};
    fdl_hf_config config{values, sizeof values / sizeof values[0]};
    fdl_text_encoder* encoder = nullptr;
    EXPECT(fdl_text_encoder_new(&config, FDL_DTYPE_FLOAT32, 1, &encoder, err, sizeof err) == FDL_OK, "%s: %s",
           c.model_type, err);
    fdl_text_encoder_info info{};
    EXPECT(fdl_text_encoder_describe(encoder, &info, err, sizeof err) == FDL_OK, "%s", err);
    EXPECT(info.hidden_size == 8 && info.vocab_size == 30 && info.pad_token_id == 1 &&
               info.max_sequence_length == c.max_sequence_length && info.has_pooler == c.has_pooler,
           "%s: info %lld %lld %lld %lld %d", c.model_type, (long long)info.hidden_size, (long long)info.vocab_size,
           (long long)info.pad_token_id, (long long)info.max_sequence_length, info.has_pooler);
    fdl_text_encoder_free(encoder);
  }
  fdl_config_value gpt2[] = {text("model_type", "gpt2")};
  fdl_hf_config config{gpt2, 1};
  fdl_text_encoder* encoder = nullptr;
  EXPECT(fdl_text_encoder_new(&config, FDL_DTYPE_FLOAT32, 1, &encoder, err, sizeof err) == FDL_ERR_UNSUPPORTED &&
             has(err, "\"gpt2\"") && has(err, "distilbert") && encoder == nullptr,
         "gpt2: %s", err);
  fdl_config_value no_type[] = {number("hidden_size", 8)};
  config = fdl_hf_config{no_type, 1};
  EXPECT(fdl_text_encoder_new(&config, FDL_DTYPE_FLOAT32, 1, &encoder, err, sizeof err) == FDL_ERR_INVALID_ARGUMENT &&
             has(err, "model_type"),
         "no model_type: %s", err);
}

}  // namespace

int main() {
  EXPECT(fdl_abi_version() == FDL_ABI_VERSION, "ABI version");
  config_is_validated();
  forward_shapes_and_validation();
  state_loads_through_handles();
  gradients_match_finite_differences();
  frozen_model_has_no_gradients();
  families_by_model_type();
  EXPECT_REPORT();
}
