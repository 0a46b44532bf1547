// The C ABI exercised exactly as Java uses it: plain C types, status codes, error buffers.
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "fidelio_testing.h"

namespace {

char err[1024];

bool has(const char* text, const char* part) { return std::strstr(text, part) != nullptr; }

fdl_tensor* make_float(std::vector<int64_t> shape, const std::vector<float>& data) {
  fdl_tensor* t = nullptr;
  int32_t rc = fdl_tensor_new(FDL_DTYPE_FLOAT32, shape.data(), (int32_t)shape.size(), data.data(),
                              data.size() * sizeof(float), &t, err, sizeof err);
  EXPECT(rc == FDL_OK, "fdl_tensor_new: %s", err);
  return t;
}

void tensors_round_trip() {
  std::vector<float> values = {1, 2, 3, 4, 5, 6};
  fdl_tensor* t = make_float({2, 3}, values);
  int64_t shape[FDL_MAX_DIMS];
  int32_t ndim = 0, dtype = -1;
  EXPECT(fdl_tensor_ndim(t, &ndim, err, sizeof err) == FDL_OK && ndim == 2, "ndim %d", ndim);
  EXPECT(fdl_tensor_shape(t, shape, FDL_MAX_DIMS, err, sizeof err) == FDL_OK && shape[0] == 2 && shape[1] == 3, "shape");
  EXPECT(fdl_tensor_dtype(t, &dtype, err, sizeof err) == FDL_OK && dtype == FDL_DTYPE_FLOAT32, "dtype %d", dtype);
  std::vector<float> back(6);
  EXPECT(fdl_tensor_copy_to_host(t, back.data(), 6 * sizeof(float), err, sizeof err) == FDL_OK && back == values,
        "copy back: %s", err);

  fdl_tensor* bf16 = nullptr;
  EXPECT(fdl_tensor_to(t, FDL_DTYPE_BFLOAT16, FDL_DEVICE_CPU, 0, &bf16, err, sizeof err) == FDL_OK, "%s", err);
  uint16_t bits[6];
  EXPECT(fdl_tensor_copy_to_host(bf16, bits, sizeof bits, err, sizeof err) == FDL_OK, "%s", err);
  EXPECT(bits[0] == 0x3F80 && bits[1] == 0x4000, "bf16 bits of 1 and 2: %x %x", bits[0], bits[1]);

  EXPECT(fdl_tensor_copy_to_host(t, back.data(), 5 * sizeof(float), err, sizeof err) == FDL_ERR_INVALID_ARGUMENT &&
            has(err, "24"),
        "size mismatch must be named: %s", err);
  EXPECT(fdl_tensor_free(bf16) == FDL_OK && fdl_tensor_free(t) == FDL_OK, "free");
}

void bad_handles_are_errors() {
  fdl_tensor* t = make_float({1}, {1});
  EXPECT(fdl_tensor_free(t) == FDL_OK, "first free");
  EXPECT(fdl_tensor_free(t) == FDL_ERR_INVALID_HANDLE, "double free must be detected");
  int32_t ndim;
  EXPECT(fdl_tensor_ndim(t, &ndim, err, sizeof err) == FDL_ERR_INVALID_HANDLE && has(err, "not a live fdl_tensor"),
        "use after free: %s", err);
  int on_stack = 0;
  EXPECT(fdl_tensor_ndim(reinterpret_cast<fdl_tensor*>(&on_stack), &ndim, err, sizeof err) == FDL_ERR_INVALID_HANDLE,
        "foreign pointer: %s", err);
  int64_t hidden[] = {4};
  fdl_mlp* mlp = nullptr;
  EXPECT(fdl_mlp_new(2, hidden, 1, 2, FDL_LOSS_CROSS_ENTROPY, FDL_DTYPE_FLOAT32, 1, &mlp, err, sizeof err) == FDL_OK,
        "%s", err);
  EXPECT(fdl_tensor_ndim(reinterpret_cast<fdl_tensor*>(mlp), &ndim, err, sizeof err) == FDL_ERR_INVALID_HANDLE &&
            has(err, "is an fdl_mlp"),
        "wrong kind: %s", err);
  EXPECT(fdl_tensor_free(reinterpret_cast<fdl_tensor*>(mlp)) == FDL_ERR_INVALID_HANDLE, "freeing as wrong kind");
  EXPECT(fdl_mlp_free(mlp) == FDL_OK, "mlp free");
}

void impossible_allocation_is_an_error() {
  int64_t shape[] = {int64_t(1) << 40, int64_t(1) << 20};
  fdl_tensor* t = nullptr;
  EXPECT(fdl_tensor_new(FDL_DTYPE_FLOAT32, shape, 2, nullptr, 0, &t, err, sizeof err) == FDL_ERR_OUT_OF_MEMORY,
        "huge tensor: %s", err);
  int64_t big[] = {int64_t(1) << 42};  // 16 TiB: passes the overflow check, fails in the allocator
  EXPECT(fdl_tensor_new(FDL_DTYPE_FLOAT32, big, 1, nullptr, 0, &t, err, sizeof err) == FDL_ERR_OUT_OF_MEMORY,
        "allocator failure: %s", err);
  char tiny[8];
  EXPECT(fdl_tensor_new(99, shape, 1, nullptr, 0, &t, tiny, sizeof tiny) == FDL_ERR_INVALID_ARGUMENT &&
            std::strlen(tiny) == 7,
        "message truncated into a small buffer: '%s'", tiny);
}

void mlp_learns_xor() {
  int64_t hidden[] = {16};
  fdl_mlp* mlp = nullptr;
  EXPECT(fdl_mlp_new(2, hidden, 1, 2, FDL_LOSS_CROSS_ENTROPY, FDL_DTYPE_FLOAT32, 7, &mlp, err, sizeof err) == FDL_OK,
        "%s", err);
  fdl_tensor* x = make_float({4, 2}, {0, 0, 0, 1, 1, 0, 1, 1});
  int64_t labels[] = {0, 1, 1, 0}, n = 4;
  fdl_tensor* y = nullptr;
  EXPECT(fdl_tensor_new(FDL_DTYPE_INT64, &n, 1, labels, sizeof labels, &y, err, sizeof err) == FDL_OK, "%s", err);
  double first = 0, loss = 0;
  for (int step = 0; step < 300; ++step) {
    EXPECT(fdl_mlp_train_step(mlp, x, y, 0.05, &loss, err, sizeof err) == FDL_OK, "%s", err);
    if (step == 0) first = loss;
  }
  EXPECT(loss < 0.05 && loss < first, "XOR loss went from %f to %f", first, loss);

  fdl_tensor* wrong = make_float({4, 3}, std::vector<float>(12, 0.f));
  EXPECT(fdl_mlp_train_step(mlp, wrong, y, 0.05, &loss, err, sizeof err) == FDL_ERR_INVALID_ARGUMENT &&
            has(err, "[batch, 2]") && has(err, "[4, 3]"),
        "shape mismatch named: %s", err);
  fdl_tensor_free(wrong);
  fdl_tensor_free(x);
  fdl_tensor_free(y);
  fdl_mlp_free(mlp);
}

void runtime_info_names_versions() {
  char info[4096];
  EXPECT(fdl_runtime_info(info, sizeof info, err, sizeof err) == FDL_OK, "%s", err);
  EXPECT(has(info, "torch_version=") && has(info, "blas_kernel="), "runtime info: %s", info);
  EXPECT(fdl_abi_version() == FDL_ABI_VERSION, "abi version");
}

}  // namespace

int main() {
  tensors_round_trip();
  bad_handles_are_errors();
  impossible_allocation_is_an_error();
  mlp_learns_xor();
  runtime_info_names_versions();
  EXPECT_REPORT();
}
