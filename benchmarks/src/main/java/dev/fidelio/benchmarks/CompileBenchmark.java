package dev.fidelio.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

/**
 * trainer.compile: the MixedPrecisionBenchmark step run eagerly (compile=false) and captured as a
 * CUDA graph and replayed (compile=true), in float32 and bfloat16 (float16's loss scaling decides on
 * the host whether to step, so it is never captured). The score is steps/s; samples/s is the score
 * times batch. Each trial prints setCompile's report and, at the end, the graphs captured and steps
 * replayed, so a run that silently stayed eager shows in the log. On the CPU both run eagerly.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CompileBenchmark extends BertStepState {
  @Param({"false", "true"})
  boolean compile;

  @Param({"fp32", "bf16"})
  String precision;

  @Setup(Level.Trial)
  public void setUp() {
    step = createStep(precision, compile);
    System.out.println(trial() + step.compileReport());
  }

  @Benchmark
  public double trainStep() {
    return step.run(1e-5);
  }

  private String trial() {
    return "compile=" + compile + " precision=" + precision + ": ";
  }

  @Override
  void beforeClose() {
    System.out.println(trial() + step.compileStats());
  }
}
