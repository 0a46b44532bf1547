package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;

/** A numeric column. */
public record NumberInputFeature(String name, String column, ScalarEncoder encoder, NumberPreprocessing preprocessing)
        implements InputFeature {

  static NumberInputFeature read(ConfigNode node, String name, String column) {
    return new NumberInputFeature(name, column, ScalarEncoder.read(node.section("encoder")),
            NumberPreprocessing.readInput(node.section("preprocessing")));
  }

  @Override
  public JsonNode toYamlNode() {
    return Yaml.map("name", name, "type", "number", "column", column, "encoder", encoder,
            "preprocessing", preprocessing);
  }
}
