package dev.fidelio.benchmarks;

import dev.fidelio.model.EcdModel;
import dev.fidelio.model.ImageEncoder;
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
 * One training step of a trainable image input (ResNet-18 unless type and variant say otherwise)
 * with a 1000-class category head (the shape of the torchvision model with its own head): forward,
 * cross-entropy, backward, global-norm clipping, AdamW, one native call. Its PyTorch eager twins are
 * benchmarks/python/resnet_train_step.py and, for any family, image_train_step.py.
 * A step takes seconds on 2 cores, so a few steps are measured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ResNetTrainStepBenchmark {
  @Param({"32"})
  int batch;

  @Param({"224"})
  int size;

  /** Ludwig's image encoder type and model_variant. */
  @Param({"resnet"})
  String type;

  @Param({"18"})
  String variant;

  private EcdModel model;
  private List<Tensor> inputs;
  private List<Tensor> targets;

  @Setup(Level.Trial)
  public void setUp() {
    try (ImageEncoder resnet = ImageEncoder.create(type, variant, 1)) {
      model = EcdModel.builder(1).input(EcdModel.InputSpec.image("image", resnet, true))
          .output(EcdModel.OutputSpec.category("label", 1000, new float[0], 1.0)).build(List.of(), false);
    }
    model.configure(EcdModel.TrainSpec.ludwigAdamW()); // clipglobalnorm 0.5, as the Python twin does
    Random random = new Random(3);
    float[] images = new float[batch * 3 * size * size];
    for (int i = 0; i < images.length; i++) images[i] = (float) random.nextGaussian();
    long[] labels = new long[batch];
    for (int i = 0; i < batch; i++) labels[i] = i % 1000;
    inputs = List.of(Tensor.of(images, batch, 3, size, size));
    targets = List.of(Tensor.of(labels, batch));
  }

  @Benchmark
  public double trainStep() {
    return model.trainStep(inputs, targets, 1e-4);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    inputs.forEach(Tensor::close);
    targets.forEach(Tensor::close);
    model.close();
  }
}
