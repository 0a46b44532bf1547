package dev.fidelio.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.config.Activation;
import dev.fidelio.config.FcLayer;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.Norm;
import dev.fidelio.config.NormParams;
import dev.fidelio.runtime.Device;
import dev.fidelio.runtime.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * trainer.regularization_type l1 / l1_l2: Ludwig adds lambda * sum|p| (l1) or lambda * (sum|p| +
 * sum p^2) (l1_l2) over the parameters to the loss. One plain SGD step (lr, no momentum, no decay)
 * from the same weights and batch with and without the penalty must differ by exactly lr times the
 * penalty's gradient, lambda * sign(p0) (+ 2 * lambda * p0 for l1_l2), computed here from p0.
 */
class RegularizationGradientTest {
  private static final double LR = 0.05, LAMBDA = 0.1;

  private static EcdModel model() {
    EcdModel.Builder spec = EcdModel.builder(11);
    spec.input(EcdModel.InputSpec.embedding("x", 4));
    spec.output(EcdModel.OutputSpec.category("y", 3, new float[0], 1.0));
    return spec.build(List.of(new FcLayer(6, Activation.TANH, 0.0, Norm.NONE, new NormParams(128, 0.1, 1e-5), true)),
        false);
  }

  private static List<float[]> weights(EcdModel model) {
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < model.stateCount(); i++) {
      try (Tensor t = model.state(i)) {
        out.add(t.toFloatArray());
      }
    }
    return out;
  }

  private static List<float[]> afterOneStep(EcdModel.TrainSpec spec) {
    Random random = new Random(3);
    float[] x = new float[8 * 4];
    long[] y = new long[8];
    for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
    for (int i = 0; i < y.length; i++) y[i] = random.nextInt(3);
    try (EcdModel model = model(); Tensor xs = Tensor.of(x, 8, 4); Tensor ys = Tensor.of(y, 8)) {
      model.configure(spec);
      model.trainStep(List.of(xs), List.of(ys), LR);
      return weights(model);
    }
  }

  private static EcdModel.TrainSpec fromConfig(String type, double lambda) {
    FidelioConfig config = FidelioConfig.parse("""
        input_features: [{name: x, type: number}]
        output_features: [{name: y, type: category}]
        trainer: {optimizer: {type: sgd}, regularization_type: %s, regularization_lambda: %s}
        """.formatted(type, lambda));
    // Without Ludwig's default clipglobalnorm 0.5, which would scale the two steps' gradients differently.
    return TrainSpecs.of(config, Device.CPU).withClipping(EcdModel.ClippingSpec.NONE);
  }

  private static void assertStepDifference(String type, boolean squares) {
    List<float[]> initial;
    try (EcdModel model = model()) {
      initial = weights(model);
    }
    List<float[]> plain = afterOneStep(fromConfig(type, 0));
    List<float[]> penalised = afterOneStep(fromConfig(type, LAMBDA));
    double largest = 0;
    for (int t = 0; t < initial.size(); t++) {
      for (int i = 0; i < initial.get(t).length; i++) {
        double p0 = initial.get(t)[i];
        double gradient = LAMBDA * Math.signum(p0) + (squares ? 2 * LAMBDA * p0 : 0);
        double expected = plain.get(t)[i] - LR * gradient;
        largest = Math.max(largest, Math.abs(penalised.get(t)[i] - expected));
      }
    }
    assertTrue(largest < 1e-6, type + ": largest difference from p - lr * (g + penalty gradient) " + largest);
  }

  @Test
  void l1AddsLambdaTimesTheSignOfEachWeightToItsGradient() {
    assertEquals(LAMBDA, fromConfig("l1", LAMBDA).l1Regularization());
    assertEquals(0, fromConfig("l1", LAMBDA).optimizer().weightDecay());
    assertStepDifference("l1", false);
  }

  @Test
  void l1L2AddsTheSignAndTwiceTheWeight() {
    assertEquals(2 * LAMBDA, fromConfig("l1_l2", LAMBDA).optimizer().weightDecay(), 1e-15);
    assertStepDifference("l1_l2", true);
  }
}
