package dev.fidelio.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metrics of one split by output feature, as in Ludwig's {@code test_statistics.json}:
 * {@code {"label": {"accuracy": 0.97, "loss": 0.08, ...}, "combined": {"loss": 0.08}}}. Most values
 * are numbers; some are tables (a confusion matrix as a list of lists). Immutable.
 */
public final class Metrics {
  private final Map<String, Map<String, Object>> byOutput;

  Metrics(Map<String, Map<String, Object>> byOutput) {
    Map<String, Map<String, Object>> copy = new LinkedHashMap<>();
    byOutput.forEach((output, metrics) -> copy.put(output, Collections.unmodifiableMap(new LinkedHashMap<>(metrics))));
    this.byOutput = Collections.unmodifiableMap(copy);
  }

  /** The output feature names, plus {@code combined} (the loss over all outputs). */
  public List<String> outputs() {
    return List.copyOf(byOutput.keySet());
  }

  /** True when nothing was measured (an empty split, or evaluation skipped). */
  public boolean isEmpty() {
    return byOutput.isEmpty();
  }

  /** A numeric metric, e.g. {@code metric("label", "accuracy")}; fails naming what exists when absent. */
  public double metric(String output, String metric) {
    Map<String, Object> metrics = byOutput.get(output);
    if (metrics == null) throw new IllegalArgumentException("no output '" + output + "'; outputs: " + outputs());
    Object value = metrics.get(metric);
    if (value instanceof Number n) return n.doubleValue();
    throw new IllegalArgumentException(value == null
        ? "output '" + output + "' has no metric '" + metric + "'; metrics: " + metrics.keySet()
        : "metric '" + metric + "' of output '" + output + "' is not a number: " + value);
  }

  /** Every metric of one output (empty when absent), numbers and tables alike. */
  public Map<String, Object> of(String output) {
    return byOutput.getOrDefault(output, Map.of());
  }

  /** The whole table, as test_statistics.json holds it. */
  public Map<String, Map<String, Object>> toMap() {
    return byOutput;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Metrics m && m.byOutput.equals(byOutput);
  }

  @Override
  public int hashCode() {
    return byOutput.hashCode();
  }

  @Override
  public String toString() {
    return byOutput.toString();
  }
}
