package dev.fidelio.train;

import dev.fidelio.metrics.SplitMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-epoch metrics in Ludwig's training_statistics.json layout:
 * {@code {"training": {"combined": {"loss": [...]}}, "validation": {feature: {metric: [...]}}, ...}},
 * plus the learning rate at the end of each epoch.
 */
public final class TrainingStatistics {
  private final Map<String, Map<String, Map<String, List<Object>>>> splits = new LinkedHashMap<>();
  private final List<Double> learningRates = new ArrayList<>();

  void addTrainingLoss(double loss, double learningRate) {
    append("training", "combined", "loss", loss);
    learningRates.add(learningRate);
  }

  /** evaluate_training_set: the training split's full metrics, as for validation, instead of the running loss. */
  void addTrainingEvaluation(SplitMetrics stats, double learningRate) {
    addEvaluation("training", stats);
    learningRates.add(learningRate);
  }

  void addEvaluation(String split, SplitMetrics stats) {
    stats.toJson().forEach((feature, metrics) ->
        metrics.forEach((metric, value) -> append(split, feature, metric, value)));
  }

  private void append(String split, String feature, String metric, Object value) {
    splits.computeIfAbsent(split, s -> new LinkedHashMap<>()).computeIfAbsent(feature, f -> new LinkedHashMap<>())
        .computeIfAbsent(metric, m -> new ArrayList<>()).add(value);
  }

  /** The statistics of an interrupted run, from {@link #toJson}, to continue. */
  @SuppressWarnings("unchecked")
  static TrainingStatistics fromJson(Map<String, Object> json) {
    var statistics = new TrainingStatistics();
    json.forEach((split, value) -> {
      if (split.equals("learning_rate")) {
        ((List<Object>) value).forEach(rate -> statistics.learningRates.add(((Number) rate).doubleValue()));
      } else {
        ((Map<String, Map<String, List<Object>>>) value).forEach((feature, metrics) -> metrics.forEach(
            (metric, values) -> values.forEach(v -> statistics.append(split, feature, metric, v))));
      }
    });
    return statistics;
  }

  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>(splits);
    json.put("learning_rate", learningRates);
    return json;
  }
}
