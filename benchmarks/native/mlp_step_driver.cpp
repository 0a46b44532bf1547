// Times the MLP train step through the C ABI from C++, the baseline for MlpTrainStepBenchmark.
// Usage: fidelio_mlp_step_driver [warmup_steps] [timed_steps]; prints one line of results.
// Shapes must stay equal to benchmarks/src/main/java/.../MlpTrainStepBenchmark.java.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "fidelio_testing.h"

static void check(int32_t rc, const char* what, const char* err) {
  if (rc != FDL_OK) {
    std::fprintf(stderr, "%s failed (%d): %s\n", what, rc, err);
    std::exit(1);
  }
}

int main(int argc, char** argv) {
  const int warmup = argc > 1 ? std::atoi(argv[1]) : 50;
  const int steps = argc > 2 ? std::atoi(argv[2]) : 300;
  const int64_t batch = 256, in = 512, out = 10;
  int64_t hidden[] = {1024, 1024};
  char err[1024];

  std::mt19937 rng(42);
  std::normal_distribution<float> normal;
  std::vector<float> x(batch * in);
  for (auto& v : x) v = normal(rng);
  std::vector<int64_t> y(batch);
  for (int64_t i = 0; i < batch; ++i) y[i] = i % out;

  fdl_mlp* mlp;
  fdl_tensor *xt, *yt;
  int64_t xshape[] = {batch, in};
  check(fdl_mlp_new(in, hidden, 2, out, FDL_LOSS_CROSS_ENTROPY, FDL_DTYPE_FLOAT32, 1, &mlp, err, sizeof err), "mlp_new", err);
  check(fdl_tensor_new(FDL_DTYPE_FLOAT32, xshape, 2, x.data(), x.size() * 4, &xt, err, sizeof err), "x", err);
  check(fdl_tensor_new(FDL_DTYPE_INT64, &batch, 1, y.data(), y.size() * 8, &yt, err, sizeof err), "y", err);

  double loss;
  for (int i = 0; i < warmup; ++i) check(fdl_mlp_train_step(mlp, xt, yt, 1e-4, &loss, err, sizeof err), "step", err);
  std::vector<double> ms;
  for (int i = 0; i < steps; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    check(fdl_mlp_train_step(mlp, xt, yt, 1e-4, &loss, err, sizeof err), "step", err);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  double mean = 0;
  for (double v : ms) mean += v;
  mean /= ms.size();
  // The kernel and thread count actually in use, from the library itself (environment decides them).
  char info[4096];
  std::string kernel = "?", threads = "?";
  if (fdl_runtime_info(info, sizeof info, err, sizeof err) == FDL_OK) {
    std::string text(info);
    auto field = [&](const std::string& key) {
      size_t at = text.find(key + "=");
      if (at == std::string::npos) return std::string("?");
      size_t end = text.find('\n', at);
      std::string value = text.substr(at + key.size() + 1, end - at - key.size() - 1);
      for (char& c : value) if (c == ' ') c = '_';
      return value;
    };
    kernel = field("blas_kernel");
    threads = field("intra_op_threads");
  }
  std::printf("cpp_driver mean_ms=%.4f median_ms=%.4f p90_ms=%.4f steps=%d final_loss=%.4f blas_kernel=%s threads=%s\n",
              mean, ms[ms.size() / 2], ms[ms.size() * 9 / 10], steps, loss, kernel.c_str(), threads.c_str());
  fdl_tensor_free(xt);
  fdl_tensor_free(yt);
  fdl_mlp_free(mlp);
}
