package dev.fidelio.config;

import java.util.List;

/** One column the model reads, typed by Ludwig's {@code type}; the switch over types is exhaustive. */
public sealed interface InputFeature extends Yaml.Rendered
        permits TextInputFeature, NumberInputFeature, CategoryInputFeature, BinaryInputFeature, ImageInputFeature {

  /** Unique among all input and output features. */
  String name();

  /** The dataset column; Ludwig defaults it to the name. */
  String column();

  List<String> TYPES = List.of("text", "number", "category", "binary", "image");
  List<String> LUDWIG_TYPES_NOT_YET_SUPPORTED =
          List.of("sequence", "set", "bag", "vector", "audio", "date", "h3", "timeseries");

  static InputFeature read(ConfigNode node) {
    String name = node.requiredString("name", "the feature's name, unique across input and output features");
    String column = node.string("column", name);
    String type = node.type(null, TYPES, LUDWIG_TYPES_NOT_YET_SUPPORTED);
    if (type == null) return null;
    InputFeature feature = switch (type) {
      case "text" -> TextInputFeature.read(node, name, column);
      case "number" -> NumberInputFeature.read(node, name, column);
      case "category" -> CategoryInputFeature.read(node, name, column);
      case "binary" -> BinaryInputFeature.read(node, name, column);
      case "image" -> ImageInputFeature.read(node, name, column);
      default -> throw new IllegalStateException("type() returned an unlisted type " + type);
    };
    node.rejectUnknownKeys();
    return feature;
  }
}
