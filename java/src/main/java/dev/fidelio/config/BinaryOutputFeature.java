package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;

/** Predicts true/false; a probability at or above {@code threshold} means true. */
public record BinaryOutputFeature(String name, String column, double threshold, boolean calibration,
                                  Decoder decoder, Loss loss, BinaryPreprocessing preprocessing) implements OutputFeature {

  static BinaryOutputFeature read(ConfigNode node, String name, String column) {
    return new BinaryOutputFeature(name, column,
            node.decimal("threshold", 0.5, 0.0, 1.0),
            node.bool("calibration", false),
            Decoder.read(node.section("decoder"), Decoder.Type.REGRESSOR),
            Loss.readBinary(node.section("loss")),
            BinaryPreprocessing.read(node.section("preprocessing"), MissingValueStrategy.DROP_ROW));
  }

  @Override
  public JsonNode toYamlNode() {
    return Yaml.map("name", name, "type", "binary", "column", column, "threshold", threshold,
            "calibration", calibration, "decoder", decoder, "loss", loss, "preprocessing", preprocessing);
  }
}
