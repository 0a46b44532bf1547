package dev.fidelio.metrics;

import dev.fidelio.config.CategoryOutputFeature;
import dev.fidelio.config.Loss;
import dev.fidelio.config.NumberOutputFeature;
import dev.fidelio.features.NumberScale;
import dev.fidelio.config.OutputFeature;
import dev.fidelio.features.TargetColumn;
import dev.fidelio.predict.OutputPredictions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ludwig's metrics of one output feature from its predictions and targets. The names are those
 * {@code trainer.validation_metric} accepts; detailed adds the test-statistics extras (confusion
 * matrix, per-class precision/recall/F1).
 */
public final class OutputMetrics {
  /** Metrics that are better when smaller; all others are better when larger. */
  public static boolean lowerIsBetter(String metric) {
    return List.of("loss", "mean_squared_error", "mean_absolute_error", "root_mean_squared_error").contains(metric);
  }

  private OutputMetrics() {}

  public static Map<String, Object> compute(OutputFeature feature, OutputPredictions predictions, TargetColumn target,
                                            boolean detailed) {
    return switch (predictions) {
      case OutputPredictions.Category c -> category(c, ((TargetColumn.ClassIds) target).ids(),
          ((CategoryOutputFeature) feature).topK(), detailed);
      case OutputPredictions.Binary b -> binary(b, ((TargetColumn.Values) target).values(), detailed);
      case OutputPredictions.Number n -> number(n, ((TargetColumn.Values) target).values(),
          ((NumberOutputFeature) feature).loss());
    };
  }

  private static Map<String, Object> category(OutputPredictions.Category c, long[] truth, int topK, boolean detailed) {
    ConfusionMatrix matrix = new ConfusionMatrix(c.classes());
    double loss = 0;
    int hits = 0;
    for (int r = 0; r < truth.length; r++) {
      int t = (int) truth[r];
      matrix.add(t, c.predicted(r));
      loss -= Math.log(Math.max(c.probabilities()[r][t], 1e-12));
      for (int k : c.topK(r, topK)) hits += k == t ? 1 : 0;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("loss", loss / truth.length);
    m.put("accuracy", matrix.accuracy());
    m.put("accuracy_micro", matrix.accuracy());
    m.put("hits_at_k", (double) hits / truth.length);
    if (detailed) {
      m.put("confusion_matrix", matrix.rows());
      m.put("per_class_stats", matrix.perClassStatistics());
    }
    return m;
  }

  private static Map<String, Object> binary(OutputPredictions.Binary b, float[] truth, boolean detailed) {
    ConfusionMatrix matrix = new ConfusionMatrix(List.of(b.falseLabel(), b.trueLabel()));
    double loss = 0;
    double[] scores = new double[truth.length];
    boolean[] labels = new boolean[truth.length];
    for (int r = 0; r < truth.length; r++) {
      boolean t = truth[r] > 0.5f;
      double p = Math.min(Math.max(b.probability()[r], 1e-7), 1 - 1e-7);
      loss -= t ? Math.log(p) : Math.log(1 - p);
      matrix.add(t ? 1 : 0, b.predicted(r) ? 1 : 0);
      scores[r] = b.probability()[r];
      labels[r] = t;
    }
    var perClass = matrix.perClassStatistics();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("loss", loss / truth.length);
    m.put("accuracy", matrix.accuracy());
    m.put("precision", perClass.get(b.trueLabel()).get("precision"));
    m.put("recall", perClass.get(b.trueLabel()).get("recall"));
    m.put("specificity", perClass.get(b.falseLabel()).get("recall"));
    m.put("roc_auc", RocAuc.compute(scores, labels));
    if (detailed) {
      m.put("confusion_matrix", matrix.rows());
      m.put("per_class_stats", perClass);
    }
    return m;
  }

  /**
   * truth is on the model's scale (as the dataset holds it): the loss is measured there, as in
   * training; the error metrics and r2 in the user's units.
   */
  private static Map<String, Object> number(OutputPredictions.Number n, float[] truth, Loss lossType) {
    NumberScale scale = n.scale();
    double se = 0, ae = 0, mean = 0, variance = 0, modelSe = 0, modelAe = 0;
    double[] actual = new double[truth.length];
    for (int r = 0; r < truth.length; r++) {
      actual[r] = scale.toUser(truth[r]);
      mean += actual[r];
    }
    mean /= truth.length;
    for (int r = 0; r < truth.length; r++) {
      double d = n.values()[r] - actual[r];
      se += d * d;
      ae += Math.abs(d);
      variance += (actual[r] - mean) * (actual[r] - mean);
      double modelD = scale.toModel(n.values()[r]) - truth[r];
      modelSe += modelD * modelD;
      modelAe += Math.abs(modelD);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    double mse = se / truth.length, mae = ae / truth.length;
    double modelMse = modelSe / truth.length, modelMae = modelAe / truth.length;
    m.put("loss", switch (lossType) {
      case Loss.MeanAbsoluteError l -> modelMae;
      case Loss.RootMeanSquaredError l -> Math.sqrt(modelMse);
      default -> modelMse;
    });
    m.put("mean_squared_error", mse);
    m.put("mean_absolute_error", mae);
    m.put("root_mean_squared_error", Math.sqrt(mse));
    m.put("r2", variance == 0 ? Double.NaN : 1 - se / variance);
    return m;
  }
}
