package dev.fidelio.benchmarks;

import dev.fidelio.model.TextEncoderModel;
import dev.fidelio.model.EcdModel;
import dev.fidelio.config.TextEncoder.ReduceOutput;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.weights.BertConfig;
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
 * One training step of a trainable all-MiniLM-L6-v2-shaped encoder (6 layers, hidden 384) with a
 * mean-pooled category head: forward, loss, backward, AdamW, one native call. Its PyTorch eager
 * twin is benchmarks/python/text_train_step.py (same shapes, batch 32, sequence 128).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class TextTrainStepBenchmark {
  @Param({"32"})
  int batch;

  @Param({"128"})
  int length;

  private EcdModel model;
  private List<Tensor> inputs;
  private List<Tensor> targets;

  @Setup(Level.Trial)
  public void setUp() {
    BertConfig config = BertConfig.allMiniLmL6V2();
    try (TextEncoderModel bert = TextEncoderModel.create(config.toTransformerConfig(), 1)) {
      model = EcdModel.builder(1).input(EcdModel.InputSpec.text("text", bert, ReduceOutput.MEAN, true))
          .output(EcdModel.OutputSpec.category("label", 2, new float[0], 1.0)).build(List.of(), false);
    }
    model.configure(EcdModel.TrainSpec.ludwigAdamW()); // clipglobalnorm 0.5, as the Python twin does
    Random random = new Random(3);
    long[] ids = new long[batch * length];
    long[] mask = new long[batch * length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = 1000 + random.nextInt(config.vocabSize() - 1000);
      mask[i] = 1;
    }
    long[] labels = new long[batch];
    for (int i = 0; i < batch; i++) labels[i] = i % 2;
    inputs = List.of(Tensor.of(ids, batch, length), Tensor.of(mask, batch, length));
    targets = List.of(Tensor.of(labels, batch));
  }

  @Benchmark
  public double trainStep() {
    return model.trainStep(inputs, targets, 1e-5);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    inputs.forEach(Tensor::close);
    targets.forEach(Tensor::close);
    model.close();
  }
}
