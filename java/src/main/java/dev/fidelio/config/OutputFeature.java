package dev.fidelio.config;

import java.util.List;

/** One column the model predicts, typed by Ludwig's {@code type}; the switch over types is exhaustive. */
public sealed interface OutputFeature extends Yaml.Rendered
        permits CategoryOutputFeature, BinaryOutputFeature, NumberOutputFeature {

  String name();

  String column();

  Decoder decoder();

  Loss loss();

  List<String> TYPES = List.of("category", "binary", "number");
  List<String> LUDWIG_TYPES_NOT_YET_SUPPORTED =
          List.of("text", "sequence", "set", "bag", "vector", "image", "audio", "date", "h3", "timeseries");

  static OutputFeature read(ConfigNode node) {
    String name = node.requiredString("name", "the feature's name, unique across input and output features");
    String column = node.string("column", name);
    String type = node.type(null, TYPES, LUDWIG_TYPES_NOT_YET_SUPPORTED);
    if (type == null) return null;
    OutputFeature feature = switch (type) {
      case "category" -> CategoryOutputFeature.read(node, name, column);
      case "binary" -> BinaryOutputFeature.read(node, name, column);
      case "number" -> NumberOutputFeature.read(node, name, column);
      default -> throw new IllegalStateException("type() returned an unlisted type " + type);
    };
    node.rejectUnknownKeys();
    return feature;
  }
}
