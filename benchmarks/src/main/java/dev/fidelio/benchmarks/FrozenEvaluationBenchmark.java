package dev.fidelio.benchmarks;

import dev.fidelio.model.TextEncoderModel;
import dev.fidelio.model.EcdModel;
import dev.fidelio.config.TextEncoder.ReduceOutput;
import dev.fidelio.model.ImageEncoder;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.weights.BertConfig;
import java.util.ArrayList;
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
 * trainer.compile on the CPU: one evaluation batch through the eager C++ modules (compile false) or
 * the frozen TorchScript copy (compile true), for a text model (all-MiniLM-L6-v2's shape, batch 32,
 * sequence 128) and an image model (ResNet-18, batch 16, 224x224). Weights stay fixed, so the copy
 * is made once, in warm-up.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class FrozenEvaluationBenchmark {
  @Param({"text", "image"})
  String model;

  @Param({"false", "true"})
  boolean compile;

  private EcdModel ecd;
  private List<Tensor> inputs;

  @Setup(Level.Trial)
  public void setUp() {
    EcdModel.Builder spec = EcdModel.builder(1);
    Random random = new Random(3);
    inputs = new ArrayList<>();
    if (model.equals("text")) {
      BertConfig config = BertConfig.allMiniLmL6V2();
      try (TextEncoderModel bert = TextEncoderModel.create(config.toTransformerConfig(), 1)) {
        spec.input(EcdModel.InputSpec.text("text", bert, ReduceOutput.MEAN, true));
      }
      int batch = 32;
      int length = 128;
      long[] ids = new long[batch * length];
      long[] mask = new long[batch * length];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = 1000 + random.nextInt(config.vocabSize() - 1000);
        mask[i] = 1;
      }
      inputs.add(Tensor.of(ids, batch, length));
      inputs.add(Tensor.of(mask, batch, length));
    } else {
      try (ImageEncoder resnet = ImageEncoder.create("resnet", "18", 1)) {
        spec.input(EcdModel.InputSpec.image("image", resnet, true));
      }
      int batch = 16;
      float[] images = new float[batch * 3 * 224 * 224];
      for (int i = 0; i < images.length; i++) images[i] = (float) random.nextGaussian();
      inputs.add(Tensor.of(images, batch, 3, 224, 224));
    }
    ecd = spec.output(EcdModel.OutputSpec.category("label", 2, new float[0], 1.0)).build(List.of(), false);
    ecd.configure(EcdModel.TrainSpec.DEFAULT.withCompile(compile));
  }

  @Benchmark
  public float evaluate() {
    try (EcdModel.Evaluation evaluation = ecd.evaluate(inputs, List.of())) {
      return evaluation.predictions().get(0).toFloatArray()[0];
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    inputs.forEach(Tensor::close);
    ecd.close();
  }
}
