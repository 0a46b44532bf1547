package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * A layer's norm_params with Ludwig's defaults for its norm: ghost norm virtual_batch_size 128,
 * momentum 0.05, epsilon 1e-3 (Ludwig's GhostBatchNormalization); batch and layer norm PyTorch's
 * momentum 0.1, eps 1e-5. Both spellings, {@code eps} (PyTorch's) and {@code epsilon} (Ludwig's
 * ghost), are read. Momentum is PyTorch's convention: the weight of the new batch statistics.
 */
public record NormParams(long virtualBatchSize, double momentum, double epsilon) implements Yaml.Rendered {

  public static NormParams defaults(Norm norm) {
    return norm == Norm.GHOST ? new NormParams(128, 0.05, 1e-3) : new NormParams(128, 0.1, 1e-5);
  }

  /** The params a layer with this norm reads from {@code given} (null: none given), each key checked. */
  static NormParams read(ConfigNode node, String key, Norm norm, Map<String, Object> given) {
    NormParams defaults = defaults(norm);
    if (given == null) return defaults;
    List<String> allowed = switch (norm) {
      case NONE -> List.of();
      case BATCH -> List.of("momentum", "eps", "epsilon");
      case LAYER -> List.of("eps", "epsilon");
      case GHOST -> List.of("virtual_batch_size", "momentum", "eps", "epsilon");
    };
    for (var entry : given.entrySet()) {
      String path = key + "." + entry.getKey();
      if (!allowed.contains(entry.getKey())) {
        node.error(path, norm == Norm.NONE ? "norm_params needs a norm (batch, layer or ghost)"
                : "not a parameter of " + norm.yamlName() + " norm; allowed: " + String.join(", ", allowed));
      } else if (!(entry.getValue() instanceof Number n) || !valid(entry.getKey(), n)) {
        node.error(path, "expected " + switch (entry.getKey()) {
          case "virtual_batch_size" -> "an integer >= 1";
          case "momentum" -> "a number in [0, 1]";
          default -> "a number > 0";
        } + ", found " + entry.getValue());
      }
    }
    Number epsilon = number(given, "epsilon", number(given, "eps", defaults.epsilon));
    return new NormParams(number(given, "virtual_batch_size", defaults.virtualBatchSize).longValue(),
            number(given, "momentum", defaults.momentum).doubleValue(), epsilon.doubleValue());
  }

  private static boolean valid(String key, Number n) {
    double v = n.doubleValue();
    return switch (key) {
      case "virtual_batch_size" -> v >= 1 && v == Math.rint(v);
      case "momentum" -> v >= 0 && v <= 1;
      default -> v > 0 && Double.isFinite(v);
    };
  }

  private static Number number(Map<String, Object> params, String key, Number fallback) {
    return params.get(key) instanceof Number n ? n : fallback;
  }

  @Override
  public JsonNode toYamlNode() {
    return Yaml.map("virtual_batch_size", virtualBatchSize, "momentum", momentum, "epsilon", epsilon);
  }
}
