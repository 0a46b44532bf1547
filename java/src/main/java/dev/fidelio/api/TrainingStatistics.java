package dev.fidelio.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each evaluation of a run measured, as Ludwig's {@code training_statistics.json} holds it: per
 * split ({@code training}, {@code validation}, {@code test}), per output feature (and
 * {@code combined}), per metric, one value per evaluation; plus the learning rate at each evaluation.
 * Immutable; equal when every value is equal (two runs with the same config, data and seed).
 */
public final class TrainingStatistics {
  private final Map<String, Object> json;

  TrainingStatistics(Map<String, Object> json) {
    this.json = Collections.unmodifiableMap(new LinkedHashMap<>(json));
  }

  /** The splits that have values: training, and validation and test unless evaluation was skipped. */
  public List<String> splits() {
    return json.keySet().stream().filter(k -> !k.equals("learning_rate")).toList();
  }

  /** One metric's values, one per evaluation, e.g. {@code series("validation", "label", "accuracy")}. */
  @SuppressWarnings("unchecked")
  public List<Double> series(String split, String output, String metric) {
    Object outputs = json.get(split);
    if (!(outputs instanceof Map<?, ?> byOutput)) {
      throw new IllegalArgumentException("no split '" + split + "'; splits: " + splits());
    }
    Object metrics = byOutput.get(output);
    if (!(metrics instanceof Map<?, ?> byMetric)) {
      throw new IllegalArgumentException("split '" + split + "' has no output '" + output + "'; outputs: "
          + byOutput.keySet());
    }
    Object values = byMetric.get(metric);
    if (!(values instanceof List<?> list)) {
      throw new IllegalArgumentException("output '" + output + "' of split '" + split + "' has no metric '" + metric
          + "'; metrics: " + byMetric.keySet());
    }
    return ((List<Object>) list).stream().map(v -> ((Number) v).doubleValue()).toList();
  }

  /** The learning rate at each evaluation. */
  @SuppressWarnings("unchecked")
  public List<Double> learningRates() {
    return ((List<Object>) json.getOrDefault("learning_rate", List.of())).stream()
        .map(v -> ((Number) v).doubleValue()).toList();
  }

  /** The whole table, as training_statistics.json holds it. */
  public Map<String, Object> toMap() {
    return json;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainingStatistics s && s.json.equals(json);
  }

  @Override
  public int hashCode() {
    return json.hashCode();
  }

  @Override
  public String toString() {
    return json.toString();
  }
}
