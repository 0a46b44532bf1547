package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;

/** A column of class labels. */
public record CategoryInputFeature(String name, String column, CategoryEncoder encoder,
                                   CategoryPreprocessing preprocessing) implements InputFeature {

  static CategoryInputFeature read(ConfigNode node, String name, String column) {
    return new CategoryInputFeature(name, column, CategoryEncoder.read(node.section("encoder")),
            CategoryPreprocessing.read(node.section("preprocessing"), MissingValueStrategy.FILL_WITH_CONST));
  }

  @Override
  public JsonNode toYamlNode() {
    return Yaml.map("name", name, "type", "category", "column", column, "encoder", encoder,
            "preprocessing", preprocessing);
  }
}
