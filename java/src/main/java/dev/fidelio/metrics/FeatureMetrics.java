package dev.fidelio.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One output feature's metrics on one split, by feature type. {@link #scalars} names them as Ludwig's
 * statistics files and {@code trainer.validation_metric} do, in the files' order; {@link #toJson} adds
 * the detail tables, which only test statistics measure.
 */
public sealed interface FeatureMetrics {
  /** name -> value, in the statistics files' order. */
  Map<String, Double> scalars();

  /** The confusion matrix and per-class statistics; null when not measured. */
  Detail detail();

  /** A metric by its Ludwig name; fails naming those there are when this feature type has no such metric. */
  default double metric(String name) {
    Double value = scalars().get(name);
    if (value == null) throw new IllegalArgumentException("no metric '" + name + "'; metrics: " + scalars().keySet());
    return value;
  }

  /** As the statistics files hold it: the scalars, then the detail tables. */
  default Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>(scalars());
    if (detail() != null) {
      json.put("confusion_matrix", detail().confusionMatrix());
      json.put("per_class_stats", detail().perClassStats());
    }
    return json;
  }

  /** Rows are true classes, columns predicted ones; per class: precision, recall, f1_score, support. */
  record Detail(List<List<Long>> confusionMatrix, Map<String, Map<String, Double>> perClassStats) {}

  /** Single-label, so the micro-averaged accuracy is the accuracy (Ludwig reports both). */
  record Category(double loss, double accuracy, double hitsAtK, Detail detail) implements FeatureMetrics {
    @Override
    public Map<String, Double> scalars() {
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("loss", loss);
      m.put("accuracy", accuracy);
      m.put("accuracy_micro", accuracy);
      m.put("hits_at_k", hitsAtK);
      return m;
    }
  }

  record Binary(double loss, double accuracy, double precision, double recall, double specificity, double rocAuc,
                Detail detail) implements FeatureMetrics {
    @Override
    public Map<String, Double> scalars() {
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("loss", loss);
      m.put("accuracy", accuracy);
      m.put("precision", precision);
      m.put("recall", recall);
      m.put("specificity", specificity);
      m.put("roc_auc", rocAuc);
      return m;
    }
  }

  /** The loss on the model's scale, as in training; the errors and r2 in the user's units. */
  record Number(double loss, double meanSquaredError, double meanAbsoluteError, double rootMeanSquaredError,
                double r2) implements FeatureMetrics {
    @Override
    public Map<String, Double> scalars() {
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("loss", loss);
      m.put("mean_squared_error", meanSquaredError);
      m.put("mean_absolute_error", meanAbsoluteError);
      m.put("root_mean_squared_error", rootMeanSquaredError);
      m.put("r2", r2);
      return m;
    }

    @Override
    public Detail detail() {
      return null;
    }
  }
}
