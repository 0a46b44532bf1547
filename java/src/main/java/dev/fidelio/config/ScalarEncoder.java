package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Encoders of one-value features (number, binary): the value as is, or through dense layers. */
public sealed interface ScalarEncoder extends Yaml.Rendered {

  /** The raw value as a one-wide vector (Ludwig's default for number and binary). */
  record Passthrough() implements ScalarEncoder {}

  record Dense(int outputSize, int numLayers, Activation activation, double dropout, Norm norm)
          implements ScalarEncoder {}

  static ScalarEncoder read(ConfigNode node) {
    String type = node.type("passthrough", List.of("passthrough", "dense"), List.of());
    if (type == null) return null;
    ScalarEncoder encoder = switch (type) {
      case "passthrough" -> new Passthrough();
      case "dense" -> new Dense(
              node.integer("output_size", 256, 1, Integer.MAX_VALUE),
              node.integer("num_layers", 1, 1, Integer.MAX_VALUE),
              node.choice("activation", Activation.class, Activation.RELU),
              node.decimal("dropout", 0.0, 0.0, 1.0),
              node.choice("norm", Norm.class, Norm.NONE));
      default -> throw new IllegalStateException("type() returned an unlisted type " + type);
    };
    node.rejectUnknownKeys();
    return encoder;
  }

  @Override
  default JsonNode toYamlNode() {
    return switch (this) {
      case Passthrough p -> Yaml.map("type", "passthrough");
      case Dense d -> Yaml.map("type", "dense", "output_size", d.outputSize, "num_layers", d.numLayers,
              "activation", d.activation, "dropout", d.dropout, "norm", d.norm);
    };
  }
}
