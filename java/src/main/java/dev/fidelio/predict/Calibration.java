package dev.fidelio.predict;

import dev.fidelio.config.BinaryOutputFeature;
import dev.fidelio.config.CategoryOutputFeature;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.OutputFeature;
import dev.fidelio.features.Dataset;
import dev.fidelio.features.TrainingSetMetadata;
import dev.fidelio.model.EcdModel;
import dev.fidelio.runtime.Tensor;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.IntStream;

/**
 * Ludwig's {@code calibration: true} for category and binary outputs: temperature scaling (Guo et al.
 * 2017), one temperature T per output fitted after training by minimising the negative log-likelihood
 * of the validation split. Probabilities p become softmax(log p / T), or sigmoid(logit p / T) for
 * binary; T > 1 softens an over-confident model. The argmax is unchanged, so category predictions are
 * too; a binary prediction can move across the threshold.
 */
public final class Calibration {
  private static final double MIN_P = 1e-12;

  private Calibration() {}

  /** Fits a temperature for every output with calibration: true into metadata.temperature(); true if any. */
  public static boolean fit(EcdModel model, FidelioConfig config, TrainingSetMetadata metadata, Dataset validation,
                            int batchSize) {
    List<OutputFeature> outputs = config.outputFeatures();
    boolean any = outputs.stream().anyMatch(Calibration::wanted);
    if (!any) return false;
    if (validation.size() == 0) {
      throw new IllegalArgumentException("calibration: true fits a temperature on the validation split, which is "
          + "empty; give preprocessing.split a validation share or set calibration: false");
    }
    outputs.forEach(o -> metadata.temperature().remove(o.name()));
    Predictor.Result result = Predictor.run(model, validation, config, metadata, batchSize);
    int[] rows = IntStream.range(0, validation.size()).toArray();
    List<Tensor> targets = validation.targetTensors(rows);
    try {
      for (int o = 0; o < outputs.size(); o++) {
        if (!wanted(outputs.get(o))) continue;
        double temperature = switch (result.outputs().get(o)) {
          case OutputPredictions.Category c -> fitCategory(c.probabilities(), targets.get(o).toLongArray());
          case OutputPredictions.Binary b -> fitBinary(b.probability(), targets.get(o).toFloatArray());
          case OutputPredictions.Number n -> throw new IllegalStateException("number outputs are not calibrated");
        };
        metadata.temperature().put(outputs.get(o).name(), temperature);
      }
    } finally {
      targets.forEach(Tensor::close);
    }
    return true;
  }

  private static boolean wanted(OutputFeature output) {
    return output instanceof CategoryOutputFeature c && c.calibration()
        || output instanceof BinaryOutputFeature b && b.calibration();
  }

  static double fitCategory(float[][] p, long[] target) {
    return minimise(t -> {
      double nll = 0;
      for (int i = 0; i < p.length; i++) nll -= Math.log(categoryRow(p[i], t)[(int) target[i]]);
      return nll;
    });
  }

  static double fitBinary(float[] p, float[] target) {
    return minimise(t -> {
      double nll = 0;
      for (int i = 0; i < p.length; i++) {
        double q = Math.min(1 - MIN_P, Math.max(MIN_P, binary(p[i], t)));
        nll -= target[i] > 0.5f ? Math.log(q) : Math.log(1 - q);
      }
      return nll;
    });
  }

  /** Golden-section search over log T in [log 0.01, log 100]: the NLL is unimodal in T. */
  private static double minimise(DoubleUnaryOperator nllOfTemperature) {
    double lo = Math.log(0.01), hi = Math.log(100), golden = (Math.sqrt(5) - 1) / 2;
    double a = hi - golden * (hi - lo), b = lo + golden * (hi - lo);
    double fa = nllOfTemperature.applyAsDouble(Math.exp(a)), fb = nllOfTemperature.applyAsDouble(Math.exp(b));
    for (int i = 0; i < 60; i++) {
      if (fa < fb) {
        hi = b;
        b = a;
        fb = fa;
        a = hi - golden * (hi - lo);
        fa = nllOfTemperature.applyAsDouble(Math.exp(a));
      } else {
        lo = a;
        a = b;
        fa = fb;
        b = lo + golden * (hi - lo);
        fb = nllOfTemperature.applyAsDouble(Math.exp(b));
      }
    }
    return Math.exp((lo + hi) / 2);
  }

  /** The calibrated rows; the same array when the output has no temperature. */
  static float[][] categoryProbabilities(float[][] p, Double temperature) {
    if (temperature == null) return p;
    float[][] out = new float[p.length][];
    for (int i = 0; i < p.length; i++) {
      double[] row = categoryRow(p[i], temperature);
      out[i] = new float[row.length];
      for (int c = 0; c < row.length; c++) out[i][c] = (float) row[c];
    }
    return out;
  }

  static float[] binaryProbabilities(float[] p, Double temperature) {
    if (temperature == null) return p;
    float[] out = new float[p.length];
    for (int i = 0; i < p.length; i++) out[i] = (float) binary(p[i], temperature);
    return out;
  }

  /** softmax(log p / T), computed stably. */
  private static double[] categoryRow(float[] p, double temperature) {
    double[] z = new double[p.length];
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < p.length; c++) {
      z[c] = Math.log(Math.max(MIN_P, p[c])) / temperature;
      max = Math.max(max, z[c]);
    }
    double sum = 0;
    for (int c = 0; c < p.length; c++) sum += z[c] = Math.exp(z[c] - max);
    for (int c = 0; c < p.length; c++) z[c] = Math.max(MIN_P, z[c] / sum);
    return z;
  }

  private static double binary(float p, double temperature) {
    double q = Math.min(1 - MIN_P, Math.max(MIN_P, p));
    return 1 / (1 + Math.exp(-Math.log(q / (1 - q)) / temperature));
  }
}
