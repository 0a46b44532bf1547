package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** A text column, tokenized and encoded by a pretrained transformer. */
public record TextInputFeature(String name, String column, TextEncoder encoder, Preprocessing preprocessing)
        implements InputFeature {

  /**
   * @param cacheEncoderEmbeddings run the frozen encoder once during preprocessing and train on its
   *     outputs; only valid when the encoder is not trainable
   */
  public record Preprocessing(int maxSequenceLength, boolean lowercase, MissingValueStrategy missingValueStrategy,
                              String fillValue, boolean cacheEncoderEmbeddings) implements Yaml.Rendered {

    static final List<MissingValueStrategy> STRATEGIES = List.of(MissingValueStrategy.FILL_WITH_CONST,
            MissingValueStrategy.FILL_WITH_MODE, MissingValueStrategy.BFILL, MissingValueStrategy.FFILL,
            MissingValueStrategy.DROP_ROW);

    static Preprocessing read(ConfigNode node) {
      var preprocessing = new Preprocessing(
              node.integer("max_sequence_length", 256, 1, Integer.MAX_VALUE),
              node.bool("lowercase", false),
              node.choice("missing_value_strategy", STRATEGIES, MissingValueStrategy.FILL_WITH_CONST),
              node.string("fill_value", "<UNK>"),
              node.bool("cache_encoder_embeddings", false));
      node.rejectUnknownKeys();
      return preprocessing;
    }

    @Override
    public JsonNode toYamlNode() {
      return Yaml.map("max_sequence_length", maxSequenceLength, "lowercase", lowercase,
              "missing_value_strategy", missingValueStrategy, "fill_value", fillValue,
              "cache_encoder_embeddings", cacheEncoderEmbeddings);
    }
  }

  static TextInputFeature read(ConfigNode node, String name, String column) {
    TextEncoder encoder = TextEncoder.read(node.section("encoder"));
    ConfigNode preprocessingNode = node.section("preprocessing");
    Preprocessing preprocessing = Preprocessing.read(preprocessingNode);
    // Cached embeddings are computed once; a trainable encoder would change them every step.
    if (encoder != null && encoder.trainable() && preprocessing.cacheEncoderEmbeddings()) {
      preprocessingNode.error("cache_encoder_embeddings", "is true but encoder.trainable is also true; "
              + "caching needs a frozen encoder: set encoder.trainable: false or cache_encoder_embeddings: false");
    }
    // Ludwig turns caching off for attention (HFEncoderConfig.can_cache_embeddings); here it is said.
    if (encoder != null && encoder.reduceOutput() == TextEncoder.ReduceOutput.ATTENTION
        && preprocessing.cacheEncoderEmbeddings()) {
      preprocessingNode.error("cache_encoder_embeddings", "is true but encoder.reduce_output is attention, whose "
              + "learned weights train after the encoder and cannot be cached: set cache_encoder_embeddings: false "
              + "(the frozen encoder still runs without gradients) or a reduce_output without weights");
    }
    return new TextInputFeature(name, column, encoder, preprocessing);
  }

  @Override
  public JsonNode toYamlNode() {
    return Yaml.map("name", name, "type", "text", "column", column, "encoder", encoder,
            "preprocessing", preprocessing);
  }
}
