package dev.fidelio.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.runtime.DType;
import dev.fidelio.runtime.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The MLP driven through the whole bridge: it learns, and its gradients are right. */
class MlpTest {
  @Test
  void lossFallsOnASeparableProblem() {
    Random random = new Random(3);
    int n = 256;
    float[] x = new float[n * 2];
    long[] y = new long[n];
    for (int i = 0; i < n; i++) {
      x[2 * i] = (float) random.nextGaussian();
      x[2 * i + 1] = (float) random.nextGaussian();
      y[i] = x[2 * i] * x[2 * i + 1] > 0 ? 1 : 0; // XOR-like quadrants: needs the hidden layer
    }
    try (Mlp mlp = Mlp.create(2, new long[] {32, 32}, 2, Mlp.Loss.CROSS_ENTROPY, DType.FLOAT32, 11);
        Tensor xs = Tensor.of(x, n, 2);
        Tensor ys = Tensor.of(y, n)) {
      double first = mlp.trainStep(xs, ys, 1e-2);
      double last = first;
      for (int step = 0; step < 400; step++) last = mlp.trainStep(xs, ys, 1e-2);
      assertTrue(first > 0.6 && last < 0.15, "loss went from " + first + " to " + last);
      try (Tensor logits = mlp.forward(xs)) {
        float[] out = logits.toFloatArray();
        int correct = 0;
        for (int i = 0; i < n; i++) correct += (out[2 * i + 1] > out[2 * i]) == (y[i] == 1) ? 1 : 0;
        assertTrue(correct >= 0.95 * n, "train accuracy " + correct + "/" + n);
      }
    }
  }

  @Test
  void gradientsMatchCentralFiniteDifferences() {
    Random random = new Random(5);
    int n = 6;
    double[] x = random.doubles(n * 3).map(v -> 2 * v - 1).toArray();
    double[] y = random.doubles(n * 2).toArray();
    try (Mlp mlp = Mlp.create(3, new long[] {5}, 2, Mlp.Loss.MSE, DType.FLOAT64, 17);
        Tensor xs = Tensor.of(x, n, 3);
        Tensor ys = Tensor.of(y, n, 2)) {
      assertEquals(4, mlp.stateCount());
      assertEquals("layers.0.weight", mlp.stateName(0));
      mlp.loss(xs, ys, true);
      double eps = 1e-6;
      int checked = 0;
      for (int p = 0; p < mlp.stateCount(); p++) {
        double[] analytic;
        double[] values;
        long[] shape;
        try (Tensor g = mlp.gradient(p); Tensor v = mlp.state(p)) {
          analytic = g.toDoubleArray();
          values = v.toDoubleArray();
          shape = v.shape();
        }
        for (int i = 0; i < values.length; i++) {
          double numeric = (lossWith(mlp, p, values, shape, i, eps, xs, ys)
              - lossWith(mlp, p, values, shape, i, -eps, xs, ys)) / (2 * eps);
          double scale = Math.max(1e-3, Math.abs(numeric) + Math.abs(analytic[i]));
          assertEquals(numeric, analytic[i], 1e-6 * scale,
              mlp.stateName(p) + "[" + i + "]: finite difference " + numeric + " vs autograd " + analytic[i]);
          checked++;
        }
        try (Tensor restore = Tensor.of(values, shape)) {
          mlp.setState(p, restore);
        }
      }
      assertEquals(3 * 5 + 5 + 5 * 2 + 2, checked);
    }
  }

  private static double lossWith(Mlp mlp, int p, double[] values, long[] shape, int i, double delta, Tensor xs,
      Tensor ys) {
    double[] moved = values.clone();
    moved[i] += delta;
    try (Tensor t = Tensor.of(moved, shape)) {
      mlp.setState(p, t);
    }
    return mlp.loss(xs, ys, false);
  }
}
