package dev.fidelio.metrics;

import dev.fidelio.config.FidelioConfig;
import dev.fidelio.features.Dataset;
import dev.fidelio.predict.Predictor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Metrics of every output feature on one split, plus the loss over all outputs: what an evaluation
 * measured. {@link #toJson} is Ludwig's statistics layout, {@code {feature: {metric: value}, "combined":
 * {"loss": value}}}, for test_statistics.json, training_statistics.json and the API's Metrics.
 *
 * @param outputs by output feature name, in the config's order
 */
public record SplitMetrics(Map<String, FeatureMetrics> outputs, double combinedLoss) {
  /** Nothing measured: an empty split, or evaluation skipped. */
  public static final SplitMetrics NONE = new SplitMetrics(Map.of(), Double.NaN);

  /** The output that {@code validation_field} names for the loss over all outputs. */
  public static final String COMBINED = "combined";

  public SplitMetrics {
    outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
  }

  public static SplitMetrics of(FidelioConfig config, Dataset data, Predictor.Result result, boolean detailed) {
    Map<String, FeatureMetrics> outputs = new LinkedHashMap<>();
    for (int o = 0; o < config.outputFeatures().size(); o++) {
      outputs.put(config.outputFeatures().get(o).name(), OutputMetrics.compute(config.outputFeatures().get(o),
          result.outputs().get(o), data.targets().get(o), detailed));
    }
    return new SplitMetrics(outputs, result.loss());
  }

  public boolean isEmpty() {
    return outputs.isEmpty();
  }

  /**
   * metric of output ({@link #COMBINED} has the loss alone); NaN when nothing was measured for output,
   * as on an empty split.
   */
  public double metric(String output, String metric) {
    if (isEmpty()) return Double.NaN;
    if (output.equals(COMBINED)) {
      if (metric.equals("loss")) return combinedLoss;
      throw new IllegalArgumentException("no metric '" + metric + "' of " + COMBINED + "; metrics: [loss]");
    }
    FeatureMetrics feature = outputs.get(output);
    return feature == null ? Double.NaN : feature.metric(metric);
  }

  /** Ludwig's layout; empty when nothing was measured. */
  public Map<String, Map<String, Object>> toJson() {
    Map<String, Map<String, Object>> json = new LinkedHashMap<>();
    if (isEmpty()) return json;
    outputs.forEach((name, metrics) -> json.put(name, metrics.toJson()));
    Map<String, Object> combined = new LinkedHashMap<>();
    combined.put("loss", combinedLoss);
    json.put(COMBINED, combined);
    return json;
  }
}
