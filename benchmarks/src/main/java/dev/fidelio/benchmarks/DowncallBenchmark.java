package dev.fidelio.benchmarks;

import dev.fidelio.bindings.FidelioH;
import dev.fidelio.runtime.NativeCall;
import dev.fidelio.runtime.NativeLibrary;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of crossing the boundary: a bare downcall (fdl_abi_version), and a fallible call with
 * the per-call error buffer and status check that every real entry point pays.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class DowncallBenchmark {
  @Setup
  public void load() {
    NativeLibrary.ensureLoaded();
  }

  @Benchmark
  public int bareDowncall() {
    return FidelioH.fdl_abi_version();
  }

  @Benchmark
  public int checkedCallWithErrorBuffer() {
    try (var call = NativeCall.open()) {
      MemorySegment count = call.arena().allocate(ValueLayout.JAVA_INT);
      call.check(FidelioH.fdl_runtime_device_count(FidelioH.FDL_DEVICE_CPU, count, call.error(), call.errorCapacity()),
          "fdl_runtime_device_count");
      return count.get(ValueLayout.JAVA_INT, 0);
    }
  }
}
