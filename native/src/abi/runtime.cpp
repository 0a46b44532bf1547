// Library-wide settings and facts: versions, threads, devices, the BLAS actually loaded.
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/Utils.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <dlfcn.h>

#include <mutex>
#include <sstream>

#include "abi/api_guard.h"
#include "abi/tensor_handle.h"

#ifndef FIDELIO_VERSION
#define FIDELIO_VERSION "unknown"
#endif
#ifndef FIDELIO_LIBTORCH_SOURCE
#define FIDELIO_LIBTORCH_SOURCE "unknown"
#endif

namespace fdl {
namespace {

// The BLAS library is chosen at run time (Debian's alternatives, LD_LIBRARY_PATH), so ask the
// loaded process rather than the build configuration which file provides sgemm_.
std::string loaded_blas_library() {
  void* sgemm = dlsym(RTLD_DEFAULT, "sgemm_");
  Dl_info info{};
  if (sgemm == nullptr || dladdr(sgemm, &info) == 0 || info.dli_fname == nullptr) return "none found";
  return info.dli_fname;
}

// The BLAS doing LibTorch's matmuls: OpenBLAS names its kernel (chosen at load time); PyTorch's own
// builds link oneMKL in statically, which only LibTorch's build configuration names.
std::string blas_kernel() {
  using CoreName = char* (*)();
  if (auto core = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"))) {
    return std::string("OpenBLAS ") + core();
  }
  if (at::hasMKL()) return "oneMKL (linked into LibTorch)";
  return "unknown (not OpenBLAS, no MKL): LibTorch may use the slow reference BLAS";
}

// The lines of LibTorch's build configuration naming its math libraries and CPU kernels.
std::string math_libraries() {
  std::istringstream config(at::show_config());
  std::string line, found;
  while (std::getline(config, line)) {
    size_t start = line.find_first_not_of(" -");
    if (start == std::string::npos) continue;
    line = line.substr(start);
    bool math = line.rfind("Intel(R)", 0) == 0 || line.rfind("OpenMP", 0) == 0 || line.rfind("LAPACK is", 0) == 0 ||
                line.rfind("CPU capability", 0) == 0 || line.rfind("BLAS_INFO", 0) == 0;
    if (math) found += (found.empty() ? "" : "; ") + line;
  }
  return found.empty() ? "unknown" : found;
}

std::string single_line(std::string text) {
  for (char& c : text) {
    if (c == '\n') c = ';';
  }
  return text;
}

}  // namespace
}  // namespace fdl

using namespace fdl;

extern "C" {

int32_t fdl_abi_version(void) { return FDL_ABI_VERSION; }

int32_t fdl_runtime_info(char* out, size_t out_cap, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require(out != nullptr && out_cap > 0, "output buffer is NULL or empty");
    std::ostringstream info;
    info << "fidelio_version=" << FIDELIO_VERSION << "\n"
         << "abi_version=" << FDL_ABI_VERSION << "\n"
         << "torch_version=" << TORCH_VERSION_MAJOR << "." << TORCH_VERSION_MINOR << "." << TORCH_VERSION_PATCH << "\n"
         << "libtorch_source=" << FIDELIO_LIBTORCH_SOURCE << "\n"
         << "cuda_available=" << (torch::cuda::is_available() ? "true" : "false") << "\n"
         << "cuda_device_count=" << static_cast<int>(torch::cuda::device_count()) << "\n"
         << "intra_op_threads=" << at::get_num_threads() << "\n"
         << "inter_op_threads=" << at::get_num_interop_threads() << "\n"
         << "blas_library=" << loaded_blas_library() << "\n"
         << "blas_kernel=" << blas_kernel() << "\n"
         << "math_libraries=" << math_libraries() << "\n"
         << "parallel_info=" << single_line(at::get_parallel_info()) << "\n";
    std::string text = info.str();
    require(text.size() < out_cap, "output buffer holds " + std::to_string(out_cap) + " bytes, runtime info needs " +
                                       std::to_string(text.size() + 1));
    write_message(out, out_cap, text);
  });
}

int32_t fdl_runtime_set_num_threads(int32_t intra_op, int32_t inter_op, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    // LibTorch aborts the second call of set_num_interop_threads with an error; it is checked
    // here first so the caller gets one clear message.
    static std::mutex mutex;
    static int32_t interop_set = 0;
    std::lock_guard<std::mutex> lock(mutex);
    if (inter_op > 0) {
      if (interop_set != 0 && interop_set != inter_op) {
        fail(FDL_ERR_INVALID_ARGUMENT, "inter-op threads were already set to " + std::to_string(interop_set) +
                                           "; LibTorch allows setting them only once per process");
      }
      if (interop_set == 0) at::set_num_interop_threads(inter_op);
      interop_set = inter_op;
    }
    if (intra_op > 0) at::set_num_threads(intra_op);
  });
}

int32_t fdl_runtime_device_count(int32_t device_type, int32_t* out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    switch (device_type) {
      case FDL_DEVICE_CPU: *out = 1; return;
      case FDL_DEVICE_CUDA: *out = static_cast<int32_t>(torch::cuda::device_count()); return;
    }
    fail(FDL_ERR_INVALID_ARGUMENT, "unknown device type " + std::to_string(device_type));
  });
}

int32_t fdl_runtime_manual_seed(uint64_t seed, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    auto generator = at::detail::getDefaultCPUGenerator();
    {
      std::lock_guard<std::mutex> lock(generator.mutex());
      generator.set_current_seed(seed);
    }
    torch::cuda::manual_seed_all(seed);
  });
}

int32_t fdl_runtime_rng_state_get(fdl_tensor** out, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    require_out(out, "out");
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    *out = new_tensor_handle(generator.get_state().to(at::kLong));  // byte values; Java has no uint8
  });
}

int32_t fdl_runtime_rng_state_set(const fdl_tensor* state, char* err, size_t err_cap) {
  return guarded(err, err_cap, [&] {
    at::Tensor value = tensor_of(state, "state").to(at::kByte).contiguous();
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    int64_t expected = generator.get_state().numel();
    require(value.numel() == expected, "a CPU generator state has " + std::to_string(expected) + " bytes, got " +
                                           std::to_string(value.numel()));
    generator.set_state(value);
  });
}

}  // extern "C"
