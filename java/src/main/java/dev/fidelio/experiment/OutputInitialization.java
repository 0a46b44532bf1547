package dev.fidelio.experiment;

import dev.fidelio.config.Combiner;
import dev.fidelio.config.FcLayer;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.ImageInputFeature;
import dev.fidelio.config.NumberOutputFeature;
import dev.fidelio.config.TextInputFeature;
import dev.fidelio.features.Dataset;
import dev.fidelio.features.TargetColumn;
import dev.fidelio.model.EcdModel;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.util.Log;
import java.util.Arrays;
import java.util.List;

/**
 * Where a number output's head starts, Fidelio's one departure from Ludwig's initialisation. At
 * Ludwig's defaults a target is not normalised and the learning rate is 0.001, so a head starting
 * near 0 spends its steps walking towards the target's scale: a tabular regression was still
 * improving at epoch 100 and stayed well below a least-squares fit. Here the head starts where a
 * least-squares fit puts it: for a tabular model (every input number, category or binary), the
 * ridge-stabilised least-squares solution on the features the head sees (read by probing the head
 * with unit weights, one evaluation pass per feature; only with no fc layers before the head, see
 * hiddenLayers); otherwise the bias alone
 * starts at the training target's mean. Training then proceeds as configured; this changes where it
 * starts, not what the config means (the model, loss and schedule are the same).
 */
final class OutputInitialization {
  /** Rows and head inputs beyond which probing would cost more than it saves. */
  private static final int MAX_ROWS = 4096, MAX_FEATURES = 512;

  private OutputInitialization() {}

  static void startNumberOutputs(EcdModel model, FidelioConfig config, Dataset training, int batchSize) {
    boolean tabular = config.inputFeatures().stream()
        .noneMatch(f -> f instanceof TextInputFeature || f instanceof ImageInputFeature);
    List<String> names = model.stateNames();
    for (int o = 0; o < config.outputFeatures().size(); o++) {
      if (!(config.outputFeatures().get(o) instanceof NumberOutputFeature number)) continue;
      if (!(training.targets().get(o) instanceof TargetColumn.Values values) || values.values().length == 0) continue;
      int weight = names.indexOf("output_features." + number.name() + ".dense.weight");
      int bias = names.indexOf("output_features." + number.name() + ".dense.bias");
      if (weight < 0 || bias < 0) throw new IllegalStateException("no head for number output '" + number.name() + "'");
      int features;
      try (Tensor head = model.state(weight)) {
        features = (int) head.shape()[1];
      }
      int[] rows = java.util.stream.IntStream.range(0, Math.min(MAX_ROWS, training.size())).toArray();
      float[] y = Arrays.copyOf(values.values(), rows.length);
      if (tabular && features <= MAX_FEATURES && !hiddenLayers(config, number)) {
        double[][] x = probeHeadInputs(model, training, rows, o, weight, bias, features, batchSize);
        double[] solution = leastSquares(x, y);
        set(model, weight, Arrays.copyOf(solution, features), 1, features);
        set(model, bias, new double[] {solution[features]}, 1);
        Log.info("output '" + number.name() + "': head starts at the least-squares fit on " + rows.length
            + " training rows (" + features + " inputs)");
      } else {
        double mean = 0;
        for (float v : y) mean += v;
        set(model, bias, new double[] {mean / y.length}, 1);
        Log.info("output '" + number.name() + "': bias starts at the training target's mean " + mean / y.length);
      }
    }
  }

  /**
   * True when fc layers (the combiner's or the decoder's) lie between the inputs and this output's
   * head: their random features at initialisation are not what training will make of them (and a
   * batch or ghost norm's evaluation-mode output is not even what training sees), so a fit on them
   * started a relu + layer-norm decoder far off (DecoderLayersTest); the bias alone starts at the mean.
   */
  private static boolean hiddenLayers(FidelioConfig config, NumberOutputFeature output) {
    var layers = new java.util.ArrayList<FcLayer>(output.decoder().fc().layers());
    if (config.combiner() instanceof Combiner.Concat concat) layers.addAll(concat.fc().layers());
    return !layers.isEmpty();
  }

  /** Column j of the result is head input j for each row: the output with weight e_j and bias 0. */
  private static double[][] probeHeadInputs(EcdModel model, Dataset data, int[] rows, int output, int weight,
                                            int bias, int features, int batchSize) {
    double[][] x = new double[rows.length][features];
    set(model, bias, new double[] {0}, 1);
    for (int j = 0; j < features; j++) {
      double[] unit = new double[features];
      unit[j] = 1;
      set(model, weight, unit, 1, features);
      for (int start = 0; start < rows.length; start += batchSize) {
        int[] batch = Arrays.copyOfRange(rows, start, Math.min(rows.length, start + batchSize));
        List<Tensor> inputs = data.inputTensors(batch);
        try (EcdModel.Evaluation evaluation = model.evaluate(inputs, List.of())) {
          float[] column = evaluation.predictions().get(output).toFloatArray();
          for (int i = 0; i < batch.length; i++) x[start + i][j] = column[i];
        } finally {
          inputs.forEach(Tensor::close);
        }
      }
    }
    return x;
  }

  /** [w..., b] minimising |X w + b - y|^2 + tiny ridge (dead or repeated inputs make X^T X singular). */
  static double[] leastSquares(double[][] x, float[] y) {
    int k = x[0].length + 1;
    double[][] a = new double[k][k + 1];
    double[] row = new double[k];
    for (int i = 0; i < x.length; i++) {
      System.arraycopy(x[i], 0, row, 0, k - 1);
      row[k - 1] = 1;
      for (int p = 0; p < k; p++) {
        for (int q = 0; q < k; q++) a[p][q] += row[p] * row[q];
        a[p][k] += row[p] * y[i];
      }
    }
    double trace = 0;
    for (int p = 0; p < k; p++) trace += a[p][p];
    for (int p = 0; p < k - 1; p++) a[p][p] += 1e-6 * trace / k + 1e-12;
    for (int p = 0; p < k; p++) { // Gauss-Jordan with partial pivoting
      int pivot = p;
      for (int r = p + 1; r < k; r++) if (Math.abs(a[r][p]) > Math.abs(a[pivot][p])) pivot = r;
      double[] t = a[p];
      a[p] = a[pivot];
      a[pivot] = t;
      for (int r = 0; r < k; r++) {
        if (r == p || a[p][p] == 0) continue;
        double f = a[r][p] / a[p][p];
        for (int c = p; c <= k; c++) a[r][c] -= f * a[p][c];
      }
    }
    double[] solution = new double[k];
    for (int p = 0; p < k; p++) solution[p] = a[p][p] == 0 ? 0 : a[p][k] / a[p][p];
    return solution;
  }

  private static void set(EcdModel model, int index, double[] values, long... shape) {
    float[] data = new float[values.length];
    for (int i = 0; i < values.length; i++) data[i] = (float) values[i];
    try (Tensor tensor = Tensor.of(data, shape)) {
      model.setState(index, tensor);
    }
  }
}
