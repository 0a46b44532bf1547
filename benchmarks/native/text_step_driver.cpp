// A text family's trainable step through the C ABI from C++, with no JVM: Fidelio's column of
// benchmarks/run-text-families.sh, against benchmarks/python/text_family_step.py (the same step on
// the plain-PyTorch references of native/tests/reference).
// Usage: fidelio_text_step_driver BATCH LENGTH key=value... (config.json's fields, model_type among
// them: a number is a number, true/false a boolean, a value with '|' a list, anything else a string)
// Model: the encoder, reduce_output cls_pooled (the pooler where the family has one, else the first
// token's hidden state: what the Python twin takes), a 2-class category output; cross-entropy,
// clipping 0.5, AdamW (specs::adamw). Random ids in [5, vocab) under a full mask: no padding, so
// that both sides do the same work whatever their masking code costs.
// Lock-step protocol (benchmarks/resnet_lockstep.py): prints "ready ..." once built, then answers
// each stdin line with "<ms> <loss>", and exits at end of input.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "fidelio.h"
#include "../../native/tests/specs.h"

static void check(int32_t rc, const char* what, const char* err) {
  if (rc != FDL_OK) {
    std::fprintf(stderr, "%s failed (%d): %s\n", what, rc, err);
    std::exit(1);
  }
}

// key=value as a config.json field; texts keeps the strings alive for the values' pointers.
static fdl_config_value field(const char* arg, std::deque<std::string>& texts) {
  const char* eq = std::strchr(arg, '=');
  if (eq == nullptr || eq == arg) {
    std::fprintf(stderr, "expected key=value, got \"%s\"\n", arg);
    std::exit(2);
  }
  const std::string& key = texts.emplace_back(arg, eq - arg);
  const std::string& value = texts.emplace_back(eq + 1);
  if (value == "true" || value == "false") return {key.c_str(), FDL_CONFIG_BOOLEAN, value == "true" ? 1.0 : 0.0, nullptr};
  char* end = nullptr;
  double number = std::strtod(value.c_str(), &end);
  if (!value.empty() && *end == '\0') return {key.c_str(), FDL_CONFIG_NUMBER, number, nullptr};
  fdl_config_kind kind = value.find('|') != std::string::npos ? FDL_CONFIG_TEXTS : FDL_CONFIG_TEXT;
  return {key.c_str(), kind, 0, value.c_str()};
}

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: fidelio_text_step_driver BATCH LENGTH model_type=... [key=value...]\n");
    return 2;
  }
  const int64_t batch = std::atoll(argv[1]), length = std::atoll(argv[2]);
  std::deque<std::string> texts;  // a deque: growing it moves no string that a value points into
  std::vector<fdl_config_value> values;
  for (int i = 3; i < argc; ++i) values.push_back(field(argv[i], texts));
  char err[1024];

  fdl_text_encoder* encoder;
  fdl_hf_config config{values.data(), static_cast<int64_t>(values.size())};
  check(fdl_text_encoder_new(&config, FDL_DTYPE_FLOAT32, 1, &encoder, err, sizeof err), "text_encoder_new", err);
  fdl_text_encoder_info info;
  check(fdl_text_encoder_describe(encoder, &info, err, sizeof err), "describe", err);
  if (length > info.max_sequence_length) {
    std::fprintf(stderr, "LENGTH %lld exceeds the encoder's %lld positions\n", (long long)length,
                 (long long)info.max_sequence_length);
    return 2;
  }
  fdl_ecd* model;
  fdl_input_spec in = specs::text("text", encoder, FDL_REDUCE_CLS_POOLED, 1);
  fdl_output_spec out = specs::category_output("label", 2);
  fdl_ecd_spec spec = specs::model(&in, 1, &out, 1, 1);
  check(fdl_ecd_new(&spec, &model, err, sizeof err), "ecd_new", err);
  fdl_text_encoder_free(encoder);
  fdl_train_spec train = specs::adamw(0.01, 0.5);
  char report[512];
  check(fdl_ecd_configure(model, &train, report, sizeof report, err, sizeof err), "configure", err);

  std::mt19937 rng(3);
  std::uniform_int_distribution<int64_t> token(5, info.vocab_size - 1);
  std::vector<int64_t> ids(batch * length), mask(batch * length, 1), labels(batch);
  for (auto& id : ids) id = token(rng);
  for (int64_t i = 0; i < batch; ++i) labels[i] = i % 2;
  fdl_tensor *x, *m, *y;
  int64_t shape[] = {batch, length};
  check(fdl_tensor_new(FDL_DTYPE_INT64, shape, 2, ids.data(), ids.size() * 8, &x, err, sizeof err), "ids", err);
  check(fdl_tensor_new(FDL_DTYPE_INT64, shape, 2, mask.data(), mask.size() * 8, &m, err, sizeof err), "mask", err);
  check(fdl_tensor_new(FDL_DTYPE_INT64, &batch, 1, labels.data(), labels.size() * 8, &y, err, sizeof err), "labels",
        err);
  const fdl_tensor* inputs[] = {x, m};

  // The thread counts LibTorch actually uses, as the Python twin reports its own.
  char runtime[4096];
  check(fdl_runtime_info(runtime, sizeof runtime, err, sizeof err), "runtime_info", err);
  std::string threads;
  for (const char* key : {"intra_op_threads=", "inter_op_threads="}) {
    const char* at = std::strstr(runtime, key);
    if (at != nullptr) threads += " " + std::string(at, std::strcspn(at, "\n"));
  }
  std::printf("ready hidden=%lld vocab=%lld%s\n", (long long)info.hidden_size, (long long)info.vocab_size,
              threads.c_str());
  std::fflush(stdout);
  std::string line;
  while (std::getline(std::cin, line)) {
    double loss;
    auto t0 = std::chrono::steady_clock::now();
    check(fdl_ecd_train_step(model, inputs, 2, &y, 1, 1.0, 1, 1, 1e-4, &loss, err, sizeof err), "train_step", err);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%.3f %.5f\n", ms, loss);
    std::fflush(stdout);
  }
  fdl_tensor_free(x);
  fdl_tensor_free(m);
  fdl_tensor_free(y);
  fdl_ecd_free(model);
}
