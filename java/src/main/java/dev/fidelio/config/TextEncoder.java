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

  /** How the token vectors become one vector per row. */
  /** Ludwig's reduce_output for sequence encoders; the native encoder implements each under its code. */
  enum ReduceOutput implements ConfigEnum, AbiCoded {
    CLS_POOLED(FidelioH.FDL_REDUCE_CLS_POOLED), SUM(FidelioH.FDL_REDUCE_SUM), MEAN(FidelioH.FDL_REDUCE_MEAN),
    LAST(FidelioH.FDL_REDUCE_LAST), NONE(FidelioH.FDL_REDUCE_NONE);

    private final int abiCode;

    ReduceOutput(int abiCode) {
      this.abiCode = abiCode;
    }

    @Override
    public int abiCode() {
      return abiCode;
    }
  }

  /** BERT with its own defaults (bert-base-uncased). */
  record Bert(String pretrainedModelNameOrPath, boolean usePretrained, boolean trainable,
              ReduceOutput reduceOutput, Integer maxSequenceLength) implements TextEncoder {}

  /** Any Hugging Face encoder by name, e.g. sentence-transformers/all-MiniLM-L6-v2. */
  record AutoTransformer(String pretrainedModelNameOrPath, boolean usePretrained, boolean trainable,
                         ReduceOutput reduceOutput, Integer maxSequenceLength) implements TextEncoder {}

  List<String> TYPES = List.of("bert", "auto_transformer");
  List<String> LUDWIG_TYPES_NOT_YET_SUPPORTED = List.of("parallel_cnn", "stacked_cnn", "stacked_parallel_cnn",
          "rnn", "cnnrnn", "transformer", "embed", "distilbert", "roberta", "albert", "xlmroberta", "t5", "gpt2",
          "electra", "longformer", "camembert", "mt5", "xlnet", "xlm", "flaubert", "ctrl", "gpt", "tf_idf");

  static TextEncoder read(ConfigNode node) {
    String type = node.type("bert", TYPES, LUDWIG_TYPES_NOT_YET_SUPPORTED);
    String model = type != null && type.equals("auto_transformer")
            ? node.requiredString("pretrained_model_name_or_path",
                    "the Hugging Face model to load, e.g. sentence-transformers/all-MiniLM-L6-v2")
            : node.string("pretrained_model_name_or_path", "bert-base-uncased");
    boolean usePretrained = node.bool("use_pretrained", true);
    boolean trainable = node.bool("trainable", false);
    // Ludwig's defaults differ by encoder: bert pools the [CLS] token, auto_transformer sums.
    ReduceOutput reduce = node.choice("reduce_output", ReduceOutput.class,
            "auto_transformer".equals(type) ? ReduceOutput.SUM : ReduceOutput.CLS_POOLED);
    Integer maxLength = node.optionalInteger("max_sequence_length", null, 1, Integer.MAX_VALUE);
    if (type == null) return null;
    node.rejectUnknownKeys();
    return switch (type) {
      case "bert" -> new Bert(model, usePretrained, trainable, reduce, maxLength);
      case "auto_transformer" -> new AutoTransformer(model, usePretrained, trainable, reduce, maxLength);
      default -> throw new IllegalStateException("type() returned an unlisted type " + type);
    };
  }

  @Override
  default JsonNode toYamlNode() {
    String type = switch (this) {
      case Bert b -> "bert";
      case AutoTransformer a -> "auto_transformer";
    };
    return Yaml.map("type", type, "pretrained_model_name_or_path", pretrainedModelNameOrPath(),
            "use_pretrained", usePretrained(), "trainable", trainable(), "reduce_output", reduceOutput(),
            "max_sequence_length", maxSequenceLength());
  }
}
