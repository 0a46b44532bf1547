package dev.fidelio.train;

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

  void addEvaluation(String split, Map<String, Map<String, Object>> stats) {
    stats.forEach((feature, metrics) -> metrics.forEach((metric, value) -> append(split, feature, metric, value)));
  }

  private void append(String split, String feature, String metric, Object value) {
    splits.computeIfAbsent(split, s -> new LinkedHashMap<>()).computeIfAbsent(feature, f -> new LinkedHashMap<>())
        .computeIfAbsent(metric, m -> new ArrayList<>()).add(value);
  }

  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>(splits);
    json.put("learning_rate", learningRates);
    return json;
  }
}
