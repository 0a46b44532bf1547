package dev.fidelio.metrics;

import dev.fidelio.config.FidelioConfig;
import dev.fidelio.features.Dataset;
import dev.fidelio.predict.Predictor;
import java.util.LinkedHashMap;
import java.util.Map;

/** Metrics of every output feature on one split, plus {@code combined.loss}: Ludwig's statistics layout. */
public final class SplitStatistics {
  private SplitStatistics() {}

  public static Map<String, Map<String, Object>> of(FidelioConfig config, Dataset data, Predictor.Result result,
                                                    boolean detailed) {
    Map<String, Map<String, Object>> stats = new LinkedHashMap<>();
    for (int o = 0; o < config.outputFeatures().size(); o++) {
      stats.put(config.outputFeatures().get(o).name(), OutputMetrics.compute(config.outputFeatures().get(o),
          result.outputs().get(o), data.targets().get(o), detailed));
    }
    Map<String, Object> combined = new LinkedHashMap<>();
    combined.put("loss", result.loss());
    stats.put("combined", combined);
    return stats;
  }
}
