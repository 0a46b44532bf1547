// The ResNet-18 train step through the C ABI from C++, with no JVM: the middle column of
// benchmarks/run-resnet-step.sh, which splits Fidelio's gap to PyTorch eager into the native
// module's share and the JVM process's share. Model, optimizer and data are those of
// ResNetTrainStepBenchmark / ResNetStepServer (Java) and benchmarks/python/resnet_train_step.py.
// Usage: fidelio_resnet_step_driver [batch] [size] [type variant] (Ludwig's image encoder; resnet 18 by default)
// Lock-step protocol (shared by the three implementations): prints "ready" once built, then
// answers each "step" line on stdin with the step's milliseconds, and exits at end of input.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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

int main(int argc, char** argv) {
  const int64_t batch = argc > 1 ? std::atoll(argv[1]) : 32;
  const int64_t size = argc > 2 ? std::atoll(argv[2]) : 224;
  const char* type = argc > 4 ? argv[3] : "resnet";
  const char* variant = argc > 4 ? argv[4] : "18";
  char err[1024];

  fdl_ecd* model;
  fdl_image_encoder* resnet;
  check(fdl_image_encoder_new(type, variant, 3, FDL_DTYPE_FLOAT32, 1, &resnet, err, sizeof err), "image_encoder_new", err);
  fdl_input_spec in = specs::image("image", resnet, 1);
  fdl_output_spec out = specs::category_output("label", 1000);
  fdl_ecd_spec spec = specs::model(&in, 1, &out, 1, 1);
  check(fdl_ecd_new(&spec, &model, err, sizeof err), "ecd_new", err);
  fdl_image_encoder_free(resnet);
  fdl_train_spec train = specs::adamw(0.01, 0.5);
  char report[512];
  check(fdl_ecd_configure(model, &train, report, sizeof report, err, sizeof err), "configure", err);

  std::mt19937 rng(3);
  std::normal_distribution<float> normal;
  std::vector<float> images(batch * 3 * size * size);
  for (auto& v : images) v = normal(rng);
  std::vector<int64_t> labels(batch);
  for (int64_t i = 0; i < batch; ++i) labels[i] = i % 1000;
  fdl_tensor *x, *y;
  int64_t shape[] = {batch, 3, size, size};
  check(fdl_tensor_new(FDL_DTYPE_FLOAT32, shape, 4, images.data(), images.size() * 4, &x, err, sizeof err), "images",
        err);
  check(fdl_tensor_new(FDL_DTYPE_INT64, &batch, 1, labels.data(), labels.size() * 8, &y, err, sizeof err), "labels",
        err);

  // The thread counts LibTorch actually uses, as the Java and Python twins report theirs.
  char info[4096];
  check(fdl_runtime_info(info, sizeof info, err, sizeof err), "runtime_info", err);
  std::string threads;
  for (const char* key : {"intra_op_threads=", "inter_op_threads="}) {
    const char* at = std::strstr(info, key);
    if (at != nullptr) threads += " " + std::string(at, std::strcspn(at, "\n"));
  }
  std::printf("ready%s\n", threads.c_str());
  std::fflush(stdout);
  std::string line;
  while (std::getline(std::cin, line)) {
    double loss;
    auto t0 = std::chrono::steady_clock::now();
    check(fdl_ecd_train_step(model, &x, 1, &y, 1, 1.0, 1, 1, 1e-4, &loss, err, sizeof err), "train_step", err);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%.3f %.5f\n", ms, loss);
    std::fflush(stdout);
  }
  fdl_tensor_free(x);
  fdl_tensor_free(y);
  fdl_ecd_free(model);
}
