package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fidelio.bindings.AbiCoded;
import dev.fidelio.bindings.FidelioH;
import java.util.List;

/** Encoders of a text input: pretrained Hugging Face transformers. */
public sealed interface TextEncoder extends Yaml.Rendered {
  String pretrainedModelNameOrPath();

  boolean usePretrained();

  /** False (Ludwig's default) freezes the transformer; only then may its embeddings be cached. */
  boolean trainable();

  ReduceOutput reduceOutput();

  /** Tokens the encoder sees; null means the preprocessing {@code max_sequence_length}. */
  Integer maxSequenceLength();

  /** Ludwig's reduce_output for sequence encoders; the native encoder implements each under its code. */
  enum ReduceOutput implements ConfigEnum, AbiCoded {
    CLS_POOLED(FidelioH.FDL_REDUCE_CLS_POOLED), SUM(FidelioH.FDL_REDUCE_SUM), MEAN(FidelioH.FDL_REDUCE_MEAN),
    LAST(FidelioH.FDL_REDUCE_LAST), MAX(FidelioH.FDL_REDUCE_MAX), CONCAT(FidelioH.FDL_REDUCE_CONCAT),
    ATTENTION(FidelioH.FDL_REDUCE_ATTENTION), NONE(FidelioH.FDL_REDUCE_NONE);

    private final int abiCode;

    ReduceOutput(int abiCode) {
      this.abiCode = abiCode;
    }

    @Override
    public int abiCode() {
      return abiCode;
    }
  }

  /**
   * A Ludwig encoder type bound to one family: Ludwig 0.10's default model and reduce_output
   * (ludwig/schema/encoders/text_encoders.py), and the config.json model_types it may load.
   */
  record Family(String type, String defaultModel, ReduceOutput defaultReduce, List<String> modelTypes) {}

  /** mpnet is no Ludwig 0.10 type and modernbert came after it: both are offered under these names. */
  List<Family> FAMILIES = List.of(
          new Family("bert", "bert-base-uncased", ReduceOutput.CLS_POOLED, List.of("bert")),
          new Family("roberta", "roberta-base", ReduceOutput.CLS_POOLED, List.of("roberta")),
          new Family("xlmroberta", "xlm-roberta-base", ReduceOutput.CLS_POOLED, List.of("xlm-roberta")),
          new Family("distilbert", "distilbert-base-uncased", ReduceOutput.SUM, List.of("distilbert")),
          new Family("electra", "google/electra-small-discriminator", ReduceOutput.SUM, List.of("electra")),
          new Family("camembert", "camembert-base", ReduceOutput.SUM, List.of("camembert")),
          new Family("albert", "albert-base-v2", ReduceOutput.CLS_POOLED, List.of("albert")),
          new Family("deberta", "sileod/deberta-v3-base-tasksource-nli", ReduceOutput.SUM, List.of("deberta-v2")),
          new Family("mpnet", "microsoft/mpnet-base", ReduceOutput.SUM, List.of("mpnet")),
          new Family("modernbert", "answerdotai/ModernBERT-base", ReduceOutput.CLS_POOLED, List.of("modernbert")));

  /** A family's encoder (type bert, roberta, ...): the model must be of that family. */
  record Pretrained(String type, String pretrainedModelNameOrPath, boolean usePretrained, boolean trainable,
                    ReduceOutput reduceOutput, Integer maxSequenceLength) implements TextEncoder {
    public Family family() {
      return FAMILIES.stream().filter(f -> f.type().equals(type)).findFirst().orElseThrow();
    }

    @Override
    public void requireModelType(String modelType, String source) {
      if (!family().modelTypes().contains(modelType)) {
        throw new IllegalArgumentException("encoder type '" + type + "' loads config.json model_type " + family().modelTypes()
                + ", but " + source + " has model_type '" + modelType + "'; use the encoder type of that family "
                + "or type: auto_transformer");
      }
    }
  }

  /** Any Hugging Face encoder by name, e.g. sentence-transformers/all-MiniLM-L6-v2; its model_type picks the family. */
  record AutoTransformer(String pretrainedModelNameOrPath, boolean usePretrained, boolean trainable,
                         ReduceOutput reduceOutput, Integer maxSequenceLength) implements TextEncoder {
    @Override
    public void requireModelType(String modelType, String source) {
      // Any family the native side builds: its error lists the supported model_types.
    }
  }

  /** Checks that the loaded model's config.json model_type fits this encoder type; source names the model. */
  void requireModelType(String modelType, String source);

  List<String> TYPES = java.util.stream.Stream.concat(FAMILIES.stream().map(Family::type),
          java.util.stream.Stream.of("auto_transformer")).toList();
  List<String> LUDWIG_TYPES_NOT_YET_SUPPORTED = List.of("parallel_cnn", "stacked_cnn", "stacked_parallel_cnn",
          "rnn", "cnnrnn", "transformer", "embed", "t5", "gpt2", "longformer", "mt5", "xlnet", "xlm", "flaubert",
          "ctrl", "gpt", "transformer_xl", "tf_idf", "llm");

  static TextEncoder read(ConfigNode node) {
    String type = node.type("bert", TYPES, LUDWIG_TYPES_NOT_YET_SUPPORTED);
    Family family = FAMILIES.stream().filter(f -> f.type().equals(type)).findFirst().orElse(null);
    String model = family == null
            ? node.requiredString("pretrained_model_name_or_path",
                    "the Hugging Face model to load, e.g. sentence-transformers/all-MiniLM-L6-v2")
            : node.string("pretrained_model_name_or_path", family.defaultModel());
    boolean usePretrained = node.bool("use_pretrained", true);
    boolean trainable = node.bool("trainable", false);
    // Ludwig's defaults differ by encoder: bert, roberta, albert pool the first token, auto_transformer sums.
    ReduceOutput reduce = reduceOutput(node, family == null ? ReduceOutput.SUM : family.defaultReduce());
    Integer maxLength = node.optionalInteger("max_sequence_length", null, 1, Integer.MAX_VALUE);
    if (type == null) return null;
    node.rejectUnknownKeys();
    return family == null ? new AutoTransformer(model, usePretrained, trainable, reduce, maxLength)
            : new Pretrained(type, model, usePretrained, trainable, reduce, maxLength);
  }

  /** Ludwig's SequenceReducer spellings besides the enum's: {@code avg} is mean and {@code null} is none. */
  private static ReduceOutput reduceOutput(ConfigNode node, ReduceOutput defaultValue) {
    JsonNode value = node.rawIncludingNull("reduce_output");
    if (value != null && value.isNull()) return ReduceOutput.NONE;
    if (value != null && value.isTextual() && value.asText().equals("avg")) return ReduceOutput.MEAN;
    return node.choice("reduce_output", ReduceOutput.class, defaultValue);
  }

  @Override
  default JsonNode toYamlNode() {
    String type = switch (this) {
      case Pretrained p -> p.type();
      case AutoTransformer a -> "auto_transformer";
    };
    return Yaml.map("type", type, "pretrained_model_name_or_path", pretrainedModelNameOrPath(),
            "use_pretrained", usePretrained(), "trainable", trainable(), "reduce_output", reduceOutput(),
            "max_sequence_length", maxSequenceLength());
  }
}
