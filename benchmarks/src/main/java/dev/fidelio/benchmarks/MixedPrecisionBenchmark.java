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
 * trainer.use_mixed_precision: one train step (forward, loss, backward, clipping, AdamW; one native
 * call) of a BERT-base-sized encoder with a category head at batch 32, sequence 128, in float32,
 * float16 autocast with dynamic loss scaling, and bfloat16 autocast. The score is steps/s:
 * samples/s is the score times batch (benchmarks/gpu/run-gpu.sh reports both).
 *
 * <p>On the CPU (-p device=cpu) fp16 is refused, as the native library refuses it: run with
 * -p precision=fp32,bf16, and -p layers=2 -p hidden=128 for a quick smoke run.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class MixedPrecisionBenchmark extends BertStepState {
  @Param({"fp32", "fp16", "bf16"})
  String precision;

  @Setup(Level.Trial)
  public void setUp() {
    step = createStep(precision, false);
  }

  @Benchmark
  public double trainStep() {
    return step.run(1e-5);
  }
}
