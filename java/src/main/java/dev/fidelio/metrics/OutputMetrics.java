package dev.fidelio.metrics;

import dev.fidelio.config.CategoryOutputFeature;
import dev.fidelio.config.Loss;
import dev.fidelio.config.NumberOutputFeature;
import dev.fidelio.features.NumberScale;
import dev.fidelio.config.OutputFeature;
import dev.fidelio.features.TargetColumn;
import dev.fidelio.predict.OutputPredictions;
import java.util.List;

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

  public static FeatureMetrics compute(OutputFeature feature, OutputPredictions predictions, TargetColumn target,
                                       boolean detailed) {
    return switch (predictions) {
      case OutputPredictions.Category c -> category(c, ((TargetColumn.ClassIds) target).ids(),
          ((CategoryOutputFeature) feature).topK(), detailed);
      case OutputPredictions.Binary b -> binary(b, ((TargetColumn.Values) target).values(), detailed);
      case OutputPredictions.Number n -> number(n, ((TargetColumn.Values) target).values(),
          ((NumberOutputFeature) feature).loss());
    };
  }

  private static FeatureMetrics category(OutputPredictions.Category c, long[] truth, int topK, boolean detailed) {
    ConfusionMatrix matrix = new ConfusionMatrix(c.classes());
    double loss = 0;
    int hits = 0, lossTerms = 0;
    for (int r = 0; r < truth.length; r++) {
      int t = (int) truth[r];
      matrix.add(t, c.predicted(r));
      if (c.cumulative()) {
        lossTerms += cornTerms(c.probabilities()[r], t);
        loss += cornLoss(c.probabilities()[r], t);
      } else {
        lossTerms++;
        loss -= Math.log(Math.max(c.probabilities()[r][t], 1e-12));
      }
      for (int k : c.topK(r, topK)) hits += k == t ? 1 : 0;
    }
    return new FeatureMetrics.Category(loss / lossTerms, matrix.accuracy(), (double) hits / truth.length,
        detailed ? new FeatureMetrics.Detail(matrix.rows(), matrix.perClassStatistics()) : null);
  }

  /** The corn tasks a row of class t is in: "above k" for k up to t, and never past the last task. */
  private static int cornTerms(float[] cumulative, int t) {
    return Math.min(t + 1, cumulative.length - 1);
  }

  /**
   * Ludwig's corn loss of one row (summed; the caller divides by all rows' task count), from the
   * conditional probabilities P(class > k | class >= k), recovered as ratios of the cumulative ones.
   */
  private static double cornLoss(float[] cumulative, int t) {
    double loss = 0, previous = 1;
    for (int k = 0; k < cornTerms(cumulative, t); k++) {
      double above = Math.min(Math.max(cumulative[k] / previous, 1e-7), 1 - 1e-7);
      loss -= t > k ? Math.log(above) : Math.log(1 - above);
      previous = Math.max(cumulative[k], 1e-30);
    }
    return loss;
  }

  private static FeatureMetrics binary(OutputPredictions.Binary b, float[] truth, boolean detailed) {
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
    return new FeatureMetrics.Binary(loss / truth.length, matrix.accuracy(),
        perClass.get(b.trueLabel()).get("precision"), perClass.get(b.trueLabel()).get("recall"),
        perClass.get(b.falseLabel()).get("recall"),
        RocAuc.compute(scores, labels), detailed ? new FeatureMetrics.Detail(matrix.rows(), perClass) : null);
  }

  /**
   * truth is on the model's scale (as the dataset holds it): the loss is measured there, as in
   * training; the error metrics and r2 in the user's units.
   */
  private static FeatureMetrics number(OutputPredictions.Number n, float[] truth, Loss lossType) {
    NumberScale scale = n.scale();
    double se = 0, ae = 0, mean = 0, variance = 0, modelSe = 0, modelAe = 0, modelApe = 0, modelSpe = 0, huber = 0;
    double delta = lossType instanceof Loss.Huber h ? h.delta() : 1;
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
      // the training losses' guards against zero targets (see config.Loss)
      modelApe += Math.abs(modelD) / Math.max(Math.abs(truth[r]), 1.17e-6);
      double percentage = modelD / (truth[r] == 0 ? 1e-4 : truth[r]);
      modelSpe += percentage * percentage;
      huber += Math.abs(modelD) < delta ? 0.5 * modelD * modelD : delta * (Math.abs(modelD) - 0.5 * delta);
    }
    double mse = se / truth.length, mae = ae / truth.length;
    double modelMse = modelSe / truth.length, modelMae = modelAe / truth.length;
    double loss = switch (lossType) {
      case Loss.MeanAbsoluteError l -> modelMae;
      case Loss.RootMeanSquaredError l -> Math.sqrt(modelMse);
      case Loss.MeanAbsolutePercentageError l -> modelApe / truth.length;
      case Loss.RootMeanSquaredPercentageError l -> Math.sqrt(modelSpe / truth.length);
      case Loss.Huber l -> huber / truth.length;
      default -> modelMse;
    };
    return new FeatureMetrics.Number(loss, mse, mae, Math.sqrt(mse), variance == 0 ? Double.NaN : 1 - se / variance);
  }
}
