package dev.fidelio.benchmarks;

import dev.fidelio.model.EcdModel;
import dev.fidelio.runtime.Tensor;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The training step of a model on cached encoder embeddings: a 384-wide embedding input (the
 * spam example's MiniLM output) into the concat combiner and a 2-class category head, AdamW,
 * clipping 0.5, one native call. Here the kernels are tiny, so the step measures everything
 * around them. Its PyTorch twin is benchmarks/python/head_train_step.py.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CachedHeadStepBenchmark {
  @Param({"32"})
  int batch;

  @Param({"384"})
  int width;

  private EcdModel model;
  private List<Tensor> inputs;
  private List<Tensor> targets;

  @Setup(Level.Trial)
  public void setUp() {
    model = EcdModel.builder(1).input(EcdModel.InputSpec.embedding("text", width))
        .output(EcdModel.OutputSpec.category("label", 2, new float[0], 1.0)).build(List.of(), false);
    model.configure(EcdModel.TrainSpec.ludwigAdamW());
    Random random = new Random(3);
    float[] embeddings = new float[batch * width];
    for (int i = 0; i < embeddings.length; i++) embeddings[i] = (float) random.nextGaussian();
    long[] labels = new long[batch];
    for (int i = 0; i < batch; i++) labels[i] = i % 2;
    inputs = List.of(Tensor.of(embeddings, batch, width));
    targets = List.of(Tensor.of(labels, batch));
  }

  @Benchmark
  public double trainStep() {
    return model.trainStep(inputs, targets, 1e-3);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    inputs.forEach(Tensor::close);
    targets.forEach(Tensor::close);
    model.close();
  }
}
