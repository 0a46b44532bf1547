package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Predicts one class; {@code topK} sets the k of the hits_at_k metric; {@code calibration} is Ludwig's
 * temperature scaling of the probabilities.
 */
public record CategoryOutputFeature(String name, String column, int topK, boolean calibration,
                                    Decoder decoder, Loss loss, CategoryPreprocessing preprocessing) implements OutputFeature {

  static CategoryOutputFeature read(ConfigNode node, String name, String column) {
    return new CategoryOutputFeature(name, column,
            node.integer("top_k", 3, 1, Integer.MAX_VALUE),
            node.bool("calibration", false),
            Decoder.read(node.section("decoder"), Decoder.Type.CLASSIFIER),
            Loss.readCategory(node.section("loss")),
            CategoryPreprocessing.read(node.section("preprocessing"), MissingValueStrategy.DROP_ROW));
  }

  @Override
  public JsonNode toYamlNode() {
    return Yaml.map("name", name, "type", "category", "column", column, "top_k", topK,
            "calibration", calibration, "decoder", decoder, "loss", loss, "preprocessing", preprocessing);
  }
}
