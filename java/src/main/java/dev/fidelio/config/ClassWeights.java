package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Per-class loss weights: by class index (a list) or by class label (a mapping). */
public sealed interface ClassWeights {
  record ByIndex(List<Double> weights) implements ClassWeights {}

  record ByLabel(Map<String, Double> weights) implements ClassWeights {}

  /** Null when absent or null: every class weighs 1. */
  static ClassWeights read(ConfigNode node, String key) {
    JsonNode value = node.raw(key);
    if (value == null) return null;
    if (value.isArray()) return new ByIndex(node.decimals(key, List.of(), 0.0, Double.MAX_VALUE));
    if (value.isObject()) {
      var weights = new LinkedHashMap<String, Double>();
      value.properties().forEach(e -> {
        if (e.getValue().isNumber() && e.getValue().doubleValue() >= 0) {
          weights.put(e.getKey(), e.getValue().doubleValue());
        } else {
          node.error(key + "." + e.getKey(), "expected a class weight >= 0, found "
                  + ConfigNode.describe(e.getValue()));
        }
      });
      return new ByLabel(Map.copyOf(weights));
    }
    node.error(key, "expected null, a list of weights by class index, or a mapping from class label to "
            + "weight, found " + ConfigNode.describe(value));
    return null;
  }

  /** The YAML form: a list or a mapping. */
  static Object yamlValue(ClassWeights weights) {
    return switch (weights) {
      case null -> null;
      case ByIndex byIndex -> byIndex.weights();
      case ByLabel byLabel -> byLabel.weights();
    };
  }
}
