package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;

/** Predicts one number (regression). */
public record NumberOutputFeature(String name, String column, Decoder decoder, Loss loss,
                                  NumberPreprocessing preprocessing) implements OutputFeature {

  static NumberOutputFeature read(ConfigNode node, String name, String column) {
    return new NumberOutputFeature(name, column,
            Decoder.read(node.section("decoder"), Decoder.Type.REGRESSOR),
            Loss.readNumber(node.section("loss")),
            NumberPreprocessing.readOutput(node.section("preprocessing")));
  }

  @Override
  public JsonNode toYamlNode() {
    return Yaml.map("name", name, "type", "number", "column", column, "decoder", decoder, "loss", loss,
            "preprocessing", preprocessing);
  }
}
