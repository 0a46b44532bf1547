package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The head of an output feature: optional fully connected layers, then the projection to classes
 * ({@code classifier}) or to one value ({@code regressor}). Keys use Ludwig's {@code fc_} spelling.
 */
public record Decoder(Type type, FcStack fc) implements Yaml.Rendered {

  public enum Type implements ConfigEnum { CLASSIFIER, REGRESSOR }

  static Decoder read(ConfigNode node, Type type) {
    String given = node.type(type.yamlName(), List.of(type.yamlName()), List.of());
    var decoder = new Decoder(type, FcStack.read(node, "fc_"));
    if (given == null) return null;
    node.rejectUnknownKeys();
    return decoder;
  }

  @Override
  public JsonNode toYamlNode() {
    ObjectNode out = Yaml.map("type", type);
    fc.render(out);
    return out;
  }
}
