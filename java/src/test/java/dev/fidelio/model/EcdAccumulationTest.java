package dev.fidelio.model;

import dev.fidelio.config.Activation;
import dev.fidelio.config.FcLayer;
import dev.fidelio.config.Norm;
import dev.fidelio.config.NormParams;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.runtime.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Gradient accumulation through the C ABI: an update from two half batches (loss scale 1/2 each)
 * leaves the same weights as one update from the whole batch, for every optimizer.
 */
class EcdAccumulationTest {
  private static final int ROWS = 8;
  private static final int WIDTH = 4;

  private static EcdModel model() {
    EcdModel.Builder spec = EcdModel.builder(5);
    spec.input(EcdModel.InputSpec.embedding("x", WIDTH));
    spec.output(EcdModel.OutputSpec.category("y", 3, new float[0], 1.0));
    EcdModel model = spec.build(List.of(new FcLayer(6, Activation.TANH, 0.0, Norm.NONE,
        new NormParams(128, 0.1, 1e-5), true)), false);
    return model;
  }

  private static double step(EcdModel model, float[] x, long[] y, int from, int to, double scale, boolean begins,
                             boolean ends) {
    try (Tensor xs = Tensor.of(Arrays.copyOfRange(x, from * WIDTH, to * WIDTH), to - from, WIDTH);
        Tensor ys = Tensor.of(Arrays.copyOfRange(y, from, to), to - from)) {
      return model.trainMicroBatch(List.of(xs), List.of(ys), scale, begins, ends, 0.05);
    }
  }

  private static void assertSameWeights(EcdModel a, EcdModel b, String optimizer) {
    for (int i = 0; i < a.stateCount(); i++) {
      try (Tensor wa = a.state(i); Tensor wb = b.state(i)) {
        assertArrayEquals(wa.toFloatArray(), wb.toFloatArray(), 1e-6f, optimizer + ": " + a.stateName(i));
      }
    }
  }

  @Test
  void twoHalfBatchesEqualOneWholeBatch() {
    Random random = new Random(7);
    for (String optimizer : List.of("adamw", "adam", "sgd")) {
      try (EcdModel whole = model(); EcdModel halves = model()) {
        for (EcdModel m : List.of(whole, halves)) {
          var chosen = switch (optimizer) {
            case "adamw" -> EcdModel.OptimizerSpec.adam(0.9, 0.999, 1e-8, 0.1, true, true);
            case "adam" -> EcdModel.OptimizerSpec.adam(0.9, 0.999, 1e-8, 0.1, false, false);
            default -> EcdModel.OptimizerSpec.sgd(0.9, 0, 0.01, true, false);
          };
          m.configure(EcdModel.TrainSpec.DEFAULT.withOptimizer(chosen).withClipping(new EcdModel.ClippingSpec(1.0, 0, 0)));
        }
        for (int update = 0; update < 3; update++) {
          float[] x = new float[ROWS * WIDTH];
          long[] y = new long[ROWS];
          for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
          for (int i = 0; i < ROWS; i++) y[i] = random.nextInt(3);
          double wholeLoss = step(whole, x, y, 0, ROWS, 1.0, true, true);
          double first = step(halves, x, y, 0, ROWS / 2, 0.5, true, false);
          double second = step(halves, x, y, ROWS / 2, ROWS, 0.5, false, true);
          assertTrue(Math.abs(wholeLoss - (first + second) / 2) < 1e-5, optimizer + ": loss " + wholeLoss + " vs "
              + (first + second) / 2);
        }
        assertSameWeights(whole, halves, optimizer);
      }
    }
  }
}
