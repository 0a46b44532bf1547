package dev.fidelio.model;

import dev.fidelio.config.Activation;
import dev.fidelio.config.FcLayer;
import dev.fidelio.config.Norm;
import dev.fidelio.config.NormParams;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.runtime.FidelioException;
import dev.fidelio.runtime.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * bf16 autocast on CPU: the same model trained in bf16 and in fp32 ends close but not identical
 * (autocast really ran), and both learn; fp16 is refused on CPU with a clear message.
 */
class MixedPrecisionTest {
  private static final int ROWS = 64;
  private static final int WIDTH = 32;

  private static EcdModel model(EcdModel.Precision precision) {
    EcdModel.Builder spec = EcdModel.builder(9);
    spec.input(EcdModel.InputSpec.embedding("x", WIDTH));
    spec.output(EcdModel.OutputSpec.category("y", 2, new float[0], 1.0));
    EcdModel model = spec.build(List.of(new FcLayer(64, Activation.RELU, 0.0, Norm.NONE,
        new NormParams(128, 0.1, 1e-5), true)), false);
    model.configure(EcdModel.TrainSpec.DEFAULT.withPrecision(precision));
    return model;
  }

  @Test
  void bf16TracksFp32() {
    Random random = new Random(1);
    float[] x = new float[ROWS * WIDTH];
    long[] y = new long[ROWS];
    for (int i = 0; i < ROWS; i++) {
      for (int j = 0; j < WIDTH; j++) x[i * WIDTH + j] = (float) random.nextGaussian();
      y[i] = x[i * WIDTH] + x[i * WIDTH + 1] > 0 ? 1 : 0;
    }
    try (EcdModel fp32 = model(EcdModel.Precision.FLOAT32); EcdModel bf16 = model(EcdModel.Precision.BFLOAT16);
        Tensor xs = Tensor.of(x, ROWS, WIDTH); Tensor ys = Tensor.of(y, ROWS)) {
      double first32 = 0;
      double first16 = 0;
      double last32 = 0;
      double last16 = 0;
      for (int step = 0; step < 60; step++) {
        last32 = fp32.trainStep(List.of(xs), List.of(ys), 1e-2);
        last16 = bf16.trainStep(List.of(xs), List.of(ys), 1e-2);
        if (step == 0) {
          first32 = last32;
          first16 = last16;
        }
      }
      assertTrue(last32 < 0.5 * first32 && last16 < 0.5 * first16, "fp32 " + first32 + " -> " + last32 + ", bf16 "
          + first16 + " -> " + last16);
      try (var a = fp32.evaluate(List.of(xs), List.of()); var b = bf16.evaluate(List.of(xs), List.of())) {
        float[] pa = a.predictions().getFirst().toFloatArray();
        float[] pb = b.predictions().getFirst().toFloatArray();
        double worst = 0;
        for (int i = 0; i < pa.length; i++) worst = Math.max(worst, Math.abs(pa[i] - pb[i]));
        // bf16 keeps 8 bits of mantissa: probabilities differ, by little.
        assertTrue(worst > 0 && worst < 0.1, "largest probability difference bf16 vs fp32: " + worst);
      }
    }
  }

  @Test
  void float16NeedsCuda() {
    try (EcdModel model = model(EcdModel.Precision.FLOAT32)) {
      var e = assertThrows(FidelioException.class, () -> model.configure(EcdModel.TrainSpec.DEFAULT.withPrecision(EcdModel.Precision.FLOAT16)));
      assertTrue(e.getMessage().contains("bfloat16"), e.getMessage());
    }
  }
}
