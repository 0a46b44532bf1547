package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;

/** A true/false column. */
public record BinaryInputFeature(String name, String column, ScalarEncoder encoder, BinaryPreprocessing preprocessing)
        implements InputFeature {

  static BinaryInputFeature read(ConfigNode node, String name, String column) {
    return new BinaryInputFeature(name, column, ScalarEncoder.read(node.section("encoder")),
            BinaryPreprocessing.read(node.section("preprocessing"), MissingValueStrategy.FILL_WITH_FALSE));
  }

  @Override
  public JsonNode toYamlNode() {
    return Yaml.map("name", name, "type", "binary", "column", column, "encoder", encoder,
            "preprocessing", preprocessing);
  }
}
