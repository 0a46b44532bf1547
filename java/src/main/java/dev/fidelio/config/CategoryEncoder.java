package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Encoders of a category input: a learned embedding per class, or a one-hot vector. */
public sealed interface CategoryEncoder extends Yaml.Rendered {

  /** Ludwig's default category encoder. */
  record Dense(int embeddingSize, boolean embeddingsTrainable, double dropout) implements CategoryEncoder {}

  record OneHot() implements CategoryEncoder {}

  static CategoryEncoder read(ConfigNode node) {
    String type = node.type("dense", List.of("dense", "onehot"), List.of("sparse"));
    if (type == null) return null;
    CategoryEncoder encoder = switch (type) {
      case "dense" -> new Dense(node.integer("embedding_size", 50, 1, Integer.MAX_VALUE),
              node.bool("embeddings_trainable", true), node.decimal("dropout", 0.0, 0.0, 1.0));
      case "onehot" -> new OneHot();
      default -> throw new IllegalStateException("type() returned an unlisted type " + type);
    };
    node.rejectUnknownKeys();
    return encoder;
  }

  @Override
  default JsonNode toYamlNode() {
    return switch (this) {
      case Dense d -> Yaml.map("type", "dense", "embedding_size", d.embeddingSize,
              "embeddings_trainable", d.embeddingsTrainable, "dropout", d.dropout);
      case OneHot o -> Yaml.map("type", "onehot");
    };
  }
}
