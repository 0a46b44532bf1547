package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Preprocessing of a binary column, as input or output.
 *
 * @param fillValue the value used by fill_with_const, or null
 * @param fallbackTrueLabel which of two non-boolean strings ("yes"/"no", "spam"/"ham") means true;
 *     null lets preprocessing pick one and log it
 */
public record BinaryPreprocessing(MissingValueStrategy missingValueStrategy, String fillValue,
                                  String fallbackTrueLabel) implements Yaml.Rendered {

  /** Ludwig offers no fill_with_const for binary: fill_with_false and fill_with_true say it directly. */
  static final List<MissingValueStrategy> STRATEGIES = List.of(MissingValueStrategy.FILL_WITH_MODE,
          MissingValueStrategy.BFILL, MissingValueStrategy.FFILL, MissingValueStrategy.DROP_ROW,
          MissingValueStrategy.FILL_WITH_FALSE, MissingValueStrategy.FILL_WITH_TRUE);

  static BinaryPreprocessing read(ConfigNode node, MissingValueStrategy defaultStrategy) {
    var preprocessing = new BinaryPreprocessing(
            node.choice("missing_value_strategy", STRATEGIES, defaultStrategy),
            label(node, "fill_value"),
            label(node, "fallback_true_label"));
    node.rejectUnknownKeys();
    return preprocessing;
  }

  /** A label may be written as a boolean, a number or a string; the data loader compares text. */
  private static String label(ConfigNode node, String key) {
    JsonNode value = node.raw(key);
    if (value == null) return null;
    if (!value.isValueNode()) {
      node.error(key, "expected a label (string, boolean or number) or null, found " + ConfigNode.describe(value));
      return null;
    }
    return value.asText();
  }

  @Override
  public JsonNode toYamlNode() {
    return Yaml.map("missing_value_strategy", missingValueStrategy, "fill_value", fillValue,
            "fallback_true_label", fallbackTrueLabel);
  }
}
