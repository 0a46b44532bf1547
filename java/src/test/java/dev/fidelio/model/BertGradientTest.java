package dev.fidelio.model;

import dev.fidelio.config.TextEncoder.ReduceOutput;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.runtime.DType;
import dev.fidelio.runtime.Device;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.weights.PretrainedLocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Gradients of the real all-MiniLM-L6-v2 encoder (pretrained weights, in float64) against an
 * independent reference: central finite differences of the same loss, for entries of parameters
 * across the whole depth, with padding in the batch. Relative agreement within 1e-4.
 */
class BertGradientTest {
  private static final List<String> CHECKED = List.of(
      "embeddings.LayerNorm.weight",
      "encoder.layer.0.attention.self.query.weight",
      "encoder.layer.0.attention.self.value.bias",
      "encoder.layer.2.intermediate.dense.weight",
      "encoder.layer.5.output.dense.weight",
      "encoder.layer.5.output.LayerNorm.bias");

  @Test
  void autogradMatchesFiniteDifferencesOnPretrainedWeights() {
    var pretrained = PretrainedLocator.fromEnvironment().load("sentence-transformers/all-MiniLM-L6-v2");
    long[] ids = {101, 7592, 1010, 2088, 999, 102, 101, 2129, 2024, 2017, 102, 0};
    long[] mask = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
    long[] shape = {2, 6};
    Random random = new Random(11);
    double[] weight = new double[2 * 384];
    for (int i = 0; i < weight.length; i++) weight[i] = random.nextGaussian();
    try (TextEncoderModel bert = TextEncoderModel.pretrained(pretrained, 1, new ArrayList<>());
        Tensor inputIds = Tensor.of(ids, shape);
        Tensor attention = Tensor.of(mask, shape);
        Tensor w = Tensor.of(weight, 2, 384)) {
      bert.to(DType.FLOAT64, Device.CPU);
      BertHooks.lossGrad(bert, inputIds, attention, ReduceOutput.MEAN, w);
      List<String> names = bert.stateNames();
      int checked = 0;
      double worst = 0;
      for (String name : CHECKED) {
        int index = names.indexOf(name);
        double[] analytic;
        double[] values;
        long[] paramShape;
        try (Tensor g = bert.gradient(index); Tensor v = bert.state(index)) {
          analytic = g.toDoubleArray();
          values = v.toDoubleArray();
          paramShape = v.shape();
        }
        // Entries whose gradient stands well above finite-difference noise: the 3 largest of 200 sampled.
        final double[] grad = analytic;
        int[] picks = random.ints(200, 0, values.length).boxed()
            .sorted((a, b) -> Double.compare(Math.abs(grad[b]), Math.abs(grad[a]))).distinct().limit(3)
            .mapToInt(Integer::intValue).toArray();
        for (int i : picks) {
          double eps = 1e-6;
          double plus = lossWith(bert, index, values, paramShape, i, eps, inputIds, attention, w);
          double minus = lossWith(bert, index, values, paramShape, i, -eps, inputIds, attention, w);
          double numeric = (plus - minus) / (2 * eps);
          double relative = Math.abs(numeric - analytic[i]) / Math.max(1e-6, Math.abs(numeric) + Math.abs(analytic[i]));
          worst = Math.max(worst, relative);
          assertTrue(relative <= 1e-4, name + "[" + i + "]: finite difference " + numeric + " vs autograd " + analytic[i]);
          checked++;
        }
        try (Tensor restore = Tensor.of(values, paramShape)) {
          bert.setState(index, restore);
        }
      }
      System.out.println("MiniLM gradients vs finite differences: " + checked + " entries, worst relative error " + worst);
      assertEquals(CHECKED.size() * 3, checked);
    }
  }

  private static double lossWith(TextEncoderModel bert, int index, double[] values, long[] shape, int i, double delta, Tensor ids,
                                 Tensor mask, Tensor w) {
    double[] moved = values.clone();
    moved[i] += delta;
    try (Tensor t = Tensor.of(moved, shape)) {
      bert.setState(index, t);
    }
    return BertHooks.lossGrad(bert, ids, mask, ReduceOutput.MEAN, w);
  }
}
