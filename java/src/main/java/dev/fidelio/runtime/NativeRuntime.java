package dev.fidelio.runtime;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.fidelio.bindings.FidelioH;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/** Process-wide native settings and facts: versions, threads, devices, seeds, BLAS. */
public final class NativeRuntime {
  private NativeRuntime() {}

  /** fidelio_version, torch_version, cuda_available, intra_op_threads, blas_kernel, ... (fdl_runtime_info). */
  public static Map<String, String> info() {
    try (var call = NativeCall.open()) {
      long capacity = 8192;
      MemorySegment out = call.arena().allocate(capacity);
      call.check(FidelioH.fdl_runtime_info(out, capacity, call.error(), call.errorCapacity()), "fdl_runtime_info");
      Map<String, String> info = new LinkedHashMap<>();
      for (String line : out.getString(0).split("\n")) {
        int eq = line.indexOf('=');
        if (eq > 0) info.put(line.substring(0, eq), line.substring(eq + 1));
      }
      return info;
    }
  }

  /** Intra-op and inter-op thread counts; a value <= 0 leaves that count as it is. */
  public static void setNumThreads(int intraOp, int interOp) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_runtime_set_num_threads(intraOp, interOp, call.error(), call.errorCapacity()),
          "fdl_runtime_set_num_threads");
    }
  }

  public static int deviceCount(Device.Type type) {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.arena().allocate(JAVA_INT);
      call.check(FidelioH.fdl_runtime_device_count(type.code(), out, call.error(), call.errorCapacity()),
          "fdl_runtime_device_count");
      return out.get(JAVA_INT, 0);
    }
  }

  /**
   * Runs work with LibTorch's process-wide CPU generator seeded with seed and held by this thread:
   * the seeding and generator calls here lock the same monitor, so another thread's runs cannot
   * interleave their draws with work's (two models built at once get the weights each gets alone).
   */
  public static synchronized <T> T withSeed(long seed, java.util.function.Supplier<T> work) {
    manualSeed(seed);
    return work.get();
  }

  public static synchronized void manualSeed(long seed) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_runtime_manual_seed(seed, call.error(), call.errorCapacity()), "fdl_runtime_manual_seed");
    }
  }

  /** The CPU generator's state (its bytes as int64), for checkpoints. */
  public static synchronized Tensor rngState() {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.allocatePointer();
      call.check(FidelioH.fdl_runtime_rng_state_get(out, call.error(), call.errorCapacity()),
          "fdl_runtime_rng_state_get");
      return Tensor.adopt(NativeObject.handleFrom(out));
    }
  }

  /** Restores a state from {@link #rngState}: later random draws repeat those after it was taken. */
  public static synchronized void setRngState(Tensor state) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_runtime_rng_state_set(state.nativeHandle(), call.error(), call.errorCapacity()),
          "fdl_runtime_rng_state_set");
    }
  }

  /** Bytes of LibTorch CPU memory in use and their peak, counted from the first call of this or {@link #setMemoryLimit}. */
  public record MemoryStats(long inUse, long peak) {}

  public static MemoryStats memoryStats(boolean resetPeak) {
    try (var call = NativeCall.open()) {
      MemorySegment inUse = call.arena().allocate(JAVA_LONG);
      MemorySegment peak = call.arena().allocate(JAVA_LONG);
      call.check(FidelioH.fdl_runtime_memory_stats(inUse, peak, resetPeak ? 1 : 0, call.error(), call.errorCapacity()),
          "fdl_runtime_memory_stats");
      return new MemoryStats(inUse.get(JAVA_LONG, 0), peak.get(JAVA_LONG, 0));
    }
  }

  /** An artificial cap on counted CPU memory (0: none): allocations beyond it fail as out of memory. */
  public static void setMemoryLimit(long bytes) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_runtime_set_memory_limit(bytes, call.error(), call.errorCapacity()),
          "fdl_runtime_set_memory_limit");
    }
  }
}
