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
 * The frozen-encoder pass of cache_encoder_embeddings: a frozen all-MiniLM-L6-v2-shaped encoder
 * (eval mode, no autograd) with mean pooling over one batch of token ids, as `fidelio preprocess`
 * runs it. Its PyTorch twin is benchmarks/python/text_train_step.py in its frozen mode.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class FrozenEncoderPassBenchmark {
  @Param({"32"})
  int batch;

  @Param({"128"})
  int length;

  private EcdModel model;
  private Tensor ids;
  private Tensor mask;

  @Setup(Level.Trial)
  public void setUp() {
    BertConfig config = BertConfig.allMiniLmL6V2();
    try (TextEncoderModel bert = TextEncoderModel.create(config.toTransformerConfig(), 1)) {
      model = EcdModel.builder(1).input(EcdModel.InputSpec.text("text", bert, ReduceOutput.MEAN, false))
          .output(EcdModel.OutputSpec.category("label", 2, new float[0], 1.0)).build(List.of(), false);
    }
    Random random = new Random(3);
    long[] tokenIds = new long[batch * length];
    long[] keep = new long[batch * length];
    for (int i = 0; i < tokenIds.length; i++) {
      tokenIds[i] = 1000 + random.nextInt(config.vocabSize() - 1000);
      keep[i] = 1;
    }
    ids = Tensor.of(tokenIds, batch, length);
    mask = Tensor.of(keep, batch, length);
  }

  @Benchmark
  public void embed() {
    try (Tensor embeddings = model.embed(0, ids, mask)) {
      // closing frees the batch's output, as the store writer does once it has copied it
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    ids.close();
    mask.close();
    model.close();
  }
}
