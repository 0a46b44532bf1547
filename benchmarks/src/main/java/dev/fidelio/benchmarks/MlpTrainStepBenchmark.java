package dev.fidelio.benchmarks;

import dev.fidelio.model.Mlp;
import dev.fidelio.runtime.DType;
import dev.fidelio.runtime.Tensor;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One MLP train step (forward, loss, backward, AdamW) driven from Java. Its C++ twin is
 * benchmarks/native/mlp_step_driver.cpp: keep the shapes equal (batch 256, 512 -> 1024 -> 1024 -> 10).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class MlpTrainStepBenchmark {
  static final int BATCH = 256;
  static final int IN = 512;
  static final long[] HIDDEN = {1024, 1024};
  static final int OUT = 10;

  private Mlp mlp;
  private Tensor x;
  private Tensor y;

  @Setup(Level.Trial)
  public void setUp() {
    Random random = new Random(42);
    float[] features = new float[BATCH * IN];
    for (int i = 0; i < features.length; i++) features[i] = (float) random.nextGaussian();
    long[] labels = new long[BATCH];
    for (int i = 0; i < BATCH; i++) labels[i] = i % OUT;
    mlp = Mlp.create(IN, HIDDEN, OUT, Mlp.Loss.CROSS_ENTROPY, DType.FLOAT32, 1);
    x = Tensor.of(features, BATCH, IN);
    y = Tensor.of(labels, BATCH);
  }

  @Benchmark
  public double trainStep() {
    return mlp.trainStep(x, y, 1e-4);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    x.close();
    y.close();
    mlp.close();
  }
}
