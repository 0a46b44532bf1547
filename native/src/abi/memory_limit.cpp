// An optional cap on LibTorch's CPU allocations, with a count of bytes in use and the peak. It lets
// tests force a real out-of-memory failure inside a train step (the batch-size probe and the
// trainer's halving on OOM are tested with it), and benchmarks read peak memory from it.
#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>

#include <atomic>
#include <mutex>
#include <unordered_map>

#include "abi/api_guard.h"

namespace fdl {
namespace {


// Wraps LibTorch's CPU allocator. Each DataPtr's context is its data pointer (some LibTorch code
// asserts that of CPU allocations); the base allocation behind it is kept in a table until freed.
class CountingCpuAllocator final : public c10::Allocator {
 public:
  explicit CountingCpuAllocator(c10::Allocator* base) : base_(base) {}

  c10::DataPtr allocate(size_t n) override {
    size_t limit = limit_.load();
    size_t now = in_use_.load();
    TORCH_CHECK(limit == 0 || now + n <= limit, "DefaultCPUAllocator: can't allocate memory: you tried to allocate ",
                n, " bytes with ", now, " in use under Fidelio's memory limit of ", limit, " bytes");
    c10::DataPtr inner = base_->allocate(n);
    void* data = inner.get();
    c10::Device device = inner.device();
    if (data == nullptr) return inner;  // zero bytes: nothing to count
    {
      std::lock_guard<std::mutex> lock(mutex_);
      blocks_.emplace(data, Block{std::move(inner), n});
    }
    size_t after = in_use_.fetch_add(n) + n;
    for (size_t peak = peak_.load(); after > peak && !peak_.compare_exchange_weak(peak, after);) {
    }
    return {data, data, &CountingCpuAllocator::release, device};
  }

  c10::DeleterFnPtr raw_deleter() const override { return &CountingCpuAllocator::release; }

  void copy_data(void* dest, const void* src, std::size_t count) const override {
    default_copy_data(dest, src, count);
  }

  void set_limit(size_t bytes) { limit_ = bytes; }
  size_t in_use() const { return in_use_.load(); }
  size_t peak() const { return peak_.load(); }
  void reset_peak() { peak_ = in_use_.load(); }

 private:
  struct Block {
    c10::DataPtr inner;  // the base allocator frees it when the block is erased
    size_t bytes;
  };

  static void release(void* data);

  c10::Allocator* base_;
  std::atomic<size_t> limit_{0};
  mutable std::atomic<size_t> in_use_{0};
  mutable std::atomic<size_t> peak_{0};
  mutable std::mutex mutex_;
  mutable std::unordered_map<void*, Block> blocks_;
};

CountingCpuAllocator* installed = nullptr;

void CountingCpuAllocator::release(void* data) {
  c10::DataPtr inner;
  {
    std::lock_guard<std::mutex> lock(installed->mutex_);
    auto it = installed->blocks_.find(data);
    if (it == installed->blocks_.end()) return;
    installed->in_use_ -= it->second.bytes;
    inner = std::move(it->second.inner);
    installed->blocks_.erase(it);
  }
  // inner goes out of scope here, outside the lock: the base allocator frees the memory.
}

// Installed on first use, never removed: tensors allocated through it must find it at their release.
CountingCpuAllocator& counting_allocator() {
  static CountingCpuAllocator* allocator = [] {
    installed = new CountingCpuAllocator(c10::GetCPUAllocator());
    c10::SetCPUAllocator(installed, /*priority=*/100);
    return installed;
  }();
  return *allocator;
}

}  // namespace
}  // namespace fdl

extern "C" {

int32_t fdl_runtime_set_memory_limit(uint64_t bytes, char* err, size_t err_cap) {
  return fdl::guarded(err, err_cap, [&] { fdl::counting_allocator().set_limit(bytes); });
}

int32_t fdl_runtime_memory_stats(uint64_t* in_use, uint64_t* peak, int32_t reset_peak, char* err, size_t err_cap) {
  return fdl::guarded(err, err_cap, [&] {
    fdl::require_out(in_use, "in_use");
    fdl::require_out(peak, "peak");
    auto& allocator = fdl::counting_allocator();
    *in_use = allocator.in_use();
    *peak = allocator.peak();
    if (reset_peak != 0) allocator.reset_peak();
  });
}

}  // extern "C"
