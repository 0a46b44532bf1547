package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;

/** Gradient clipping before each optimizer step; null turns a kind off. Ludwig clips the global norm at 0.5. */
public record GradientClipping(Double clipglobalnorm, Double clipnorm, Double clipvalue) implements Yaml.Rendered {

  static GradientClipping read(ConfigNode node) {
    var clipping = new GradientClipping(
            node.hasExplicitNull("clipglobalnorm") ? ignored(node, "clipglobalnorm")
                    : node.optionalDecimal("clipglobalnorm", 0.5, 0.0, Double.MAX_VALUE),
            node.optionalDecimal("clipnorm", null, 0.0, Double.MAX_VALUE),
            node.optionalDecimal("clipvalue", null, 0.0, Double.MAX_VALUE));
    node.rejectUnknownKeys();
    return clipping;
  }

  /** Accepts the key and gives its null value. */
  private static Double ignored(ConfigNode node, String key) {
    node.ignore(key);
    return null;
  }

  @Override
  public JsonNode toYamlNode() {
    return Yaml.map("clipglobalnorm", clipglobalnorm, "clipnorm", clipnorm, "clipvalue", clipvalue);
  }
}
