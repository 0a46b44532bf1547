package dev.fidelio.benchmarks;

import dev.fidelio.model.TextEncoderModel;
import dev.fidelio.model.EcdModel;
import dev.fidelio.config.TextEncoder.ReduceOutput;
import dev.fidelio.runtime.Device;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.weights.BertConfig;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The GPU benchmarks' train step: a randomly initialised, trainable BERT encoder (bert-base-uncased's
 * shape unless layers/hidden say otherwise) with a mean-pooled 2-class head, AdamW and global-norm
 * clipping, on one fixed random batch; moved to its device, with its precision and trainer.compile
 * set. MixedPrecisionBenchmark, CompileBenchmark and GpuStepCheck share it, so they time and check
 * the same step.
 */
final class BertTrainStep implements AutoCloseable {
  /** The encoder's depth and width, and the batch: rows of length tokens. */
  record Shape(int layers, int hidden, int batch, int length) {}

  private final EcdModel model;
  private final List<Tensor> inputs;
  private final List<Tensor> targets;
  private final String compileReport;

  private BertTrainStep(EcdModel model, List<Tensor> inputs, List<Tensor> targets, String compileReport) {
    this.model = model;
    this.inputs = inputs;
    this.targets = targets;
    this.compileReport = compileReport;
  }

  /**
   * bert-base-uncased scaled to layers x hidden: one head per 64 features and an intermediate size of
   * 4 x hidden, as BERT's own family does (layers 12, hidden 768 is bert-base exactly).
   */
  static BertConfig encoderConfig(int layers, int hidden, double dropout) {
    BertConfig base = BertConfig.bertBase();
    return new BertConfig(base.modelType(), base.vocabSize(), hidden, layers, Math.max(1, hidden / base.headDim()),
        4 * hidden, base.hiddenAct(), base.maxPositionEmbeddings(), base.typeVocabSize(), base.layerNormEps(),
        dropout, dropout, base.padTokenId());
  }

  /** "fp32", "bf16" or "fp16" (the benchmarks' @Param spelling). */
  static EcdModel.Precision precision(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "fp32", "float32" -> EcdModel.Precision.FLOAT32;
      case "bf16", "bfloat16" -> EcdModel.Precision.BFLOAT16;
      case "fp16", "float16" -> EcdModel.Precision.FLOAT16;
      default -> throw new IllegalArgumentException("precision '" + name + "': expected fp32, bf16 or fp16");
    };
  }

  /**
   * Builds the step on device ("cpu", "cuda", "cuda:N"). float16 autocast needs CUDA (the native
   * library refuses it elsewhere); asking for it on the CPU fails here, saying which precisions to run.
   */
  static BertTrainStep create(Shape shape, String device, String precision, boolean compile, double dropout,
                              long seed) {
    Device target = Device.select(device);
    EcdModel.Precision mixed = precision(precision);
    if (mixed == EcdModel.Precision.FLOAT16 && target.type() != Device.Type.CUDA) {
      throw new IllegalArgumentException("precision fp16 needs a CUDA device (float16 autocast with loss scaling); "
          + "on " + target + " run with -p precision=fp32,bf16");
    }
    BertConfig config = encoderConfig(shape.layers(), shape.hidden(), dropout);
    EcdModel model;
    try (TextEncoderModel bert = TextEncoderModel.create(config.toTransformerConfig(), seed)) {
      model = EcdModel.builder(seed).input(EcdModel.InputSpec.text("text", bert, ReduceOutput.MEAN, true))
          .output(EcdModel.OutputSpec.category("label", 2, new float[0], 1.0)).build(List.of(), false);
    }
    try {
      model.toDevice(target);
      // Ludwig's default clipglobalnorm 0.5
      String report = model.configure(EcdModel.TrainSpec.ludwigAdamW().withPrecision(mixed).withCompile(compile));
      // Made after toDevice: on CUDA, host tensors are pinned from then on (asynchronous copies).
      Random random = new Random(seed);
      int rows = shape.batch();
      long[] ids = new long[rows * shape.length()];
      long[] mask = new long[ids.length];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = 1000 + random.nextInt(config.vocabSize() - 1000);
        mask[i] = 1;
      }
      long[] labels = new long[rows];
      for (int i = 0; i < rows; i++) labels[i] = i % 2;
      List<Tensor> inputs = List.of(Tensor.of(ids, rows, shape.length()), Tensor.of(mask, rows, shape.length()));
      return new BertTrainStep(model, inputs, List.of(Tensor.of(labels, rows)), report);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** One whole update on the batch; returns its loss before the update (read on the host: a sync). */
  double run(double learningRate) {
    return model.trainStep(inputs, targets, learningRate);
  }

  /** What setCompile said it does: "eager", "eager: <why>", or the capture it performs. */
  String compileReport() {
    return compileReport;
  }

  EcdModel.CompileStats compileStats() {
    return model.compileStats();
  }

  @Override
  public void close() {
    inputs.forEach(Tensor::close);
    targets.forEach(Tensor::close);
    model.close();
  }
}
