package dev.fidelio.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The architecture fields of a Hugging Face BERT {@code config.json}, for the one place Java must
 * know BERT's shapes: mapping an ONNX export's initializers (OnnxBertWeights) and the fixtures that
 * imitate it. Everything else goes through the family-neutral {@link TransformerConfig}. Missing
 * fields take {@code transformers.BertConfig}'s defaults, as HF itself does.
 */
public record BertConfig(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int intermediateSize,
        String hiddenAct,
        int maxPositionEmbeddings,
        int typeVocabSize,
        double layerNormEps,
        double hiddenDropoutProb,
        double attentionProbsDropoutProb,
        int padTokenId) {

  /** HF ACT2FN names; the encoder must implement whichever it is given. */
  public static final Set<String> SUPPORTED_ACTIVATIONS = Set.of("gelu", "gelu_new", "gelu_pytorch_tanh", "relu", "silu", "swish", "tanh");

  /**
   * Related model types whose checkpoints do not fit the BertModel key layout or semantics:
   * RoBERTa-style models offset position ids by pad_token_id + 1, DistilBERT/ELECTRA/DeBERTa/
   * ALBERT use other module names or layers.
   */
  public static final List<String> UNSUPPORTED_RELATIVES = List.of(
          "roberta", "xlm-roberta", "camembert", "distilbert", "electra", "albert", "deberta", "deberta-v2", "mpnet", "ernie");

  public BertConfig {
    if (!"bert".equals(modelType)) {
      String why = UNSUPPORTED_RELATIVES.contains(modelType)
              ? "'" + modelType + "' is a BERT relative with a different weight layout or position ids, not supported yet"
              : "'" + modelType + "' is not a BERT-family model";
      throw new WeightsException("config.json model_type " + why + "; only model_type 'bert' "
              + "(HF BertModel / BertFor* checkpoints) is supported");
    }
    positive("vocab_size", vocabSize);
    positive("hidden_size", hiddenSize);
    positive("num_hidden_layers", numHiddenLayers);
    positive("num_attention_heads", numAttentionHeads);
    positive("intermediate_size", intermediateSize);
    positive("max_position_embeddings", maxPositionEmbeddings);
    positive("type_vocab_size", typeVocabSize);
    if (hiddenSize % numAttentionHeads != 0) {
      throw new WeightsException("config.json hidden_size " + hiddenSize + " is not divisible by num_attention_heads "
              + numAttentionHeads + ": each head gets hidden_size / num_attention_heads features");
    }
    if (!SUPPORTED_ACTIVATIONS.contains(hiddenAct)) {
      throw new WeightsException("config.json hidden_act '" + hiddenAct + "' is not supported; expected one of "
              + SUPPORTED_ACTIVATIONS);
    }
    if (!(layerNormEps > 0)) throw new WeightsException("config.json layer_norm_eps must be > 0, got " + layerNormEps);
    probability("hidden_dropout_prob", hiddenDropoutProb);
    probability("attention_probs_dropout_prob", attentionProbsDropoutProb);
    if (padTokenId < 0 || padTokenId >= vocabSize) {
      throw new WeightsException("config.json pad_token_id " + padTokenId + " is outside the vocabulary [0, " + vocabSize + ")");
    }
  }

  /** The same architecture as config.json's fields, for the native encoder. */
  public TransformerConfig toTransformerConfig() {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("model_type", modelType);
    f.put("vocab_size", (double) vocabSize);
    f.put("hidden_size", (double) hiddenSize);
    f.put("num_hidden_layers", (double) numHiddenLayers);
    f.put("num_attention_heads", (double) numAttentionHeads);
    f.put("intermediate_size", (double) intermediateSize);
    f.put("hidden_act", hiddenAct);
    f.put("max_position_embeddings", (double) maxPositionEmbeddings);
    f.put("type_vocab_size", (double) typeVocabSize);
    f.put("layer_norm_eps", layerNormEps);
    f.put("hidden_dropout_prob", hiddenDropoutProb);
    f.put("attention_probs_dropout_prob", attentionProbsDropoutProb);
    f.put("pad_token_id", (double) padTokenId);
    return new TransformerConfig(modelType, f);
  }

  public int headDim() {
    return hiddenSize / numAttentionHeads;
  }

  /** sentence-transformers/all-MiniLM-L6-v2's config.json, for the bundled ONNX copy that has none. */
  public static BertConfig allMiniLmL6V2() {
    return new BertConfig("bert", 30522, 384, 6, 12, 1536, "gelu", 512, 2, 1e-12, 0.1, 0.1, 0);
  }

  /** bert-base-uncased's shape (12 layers, hidden 768, 12 heads, intermediate 3072): transformers.BertConfig's defaults. */
  public static BertConfig bertBase() {
    return new BertConfig("bert", 30522, 768, 12, 12, 3072, "gelu", 512, 2, 1e-12, 0.1, 0.1, 0);
  }

  public static BertConfig read(Path configJson) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(configJson.toFile());
    } catch (IOException e) {
      throw new WeightsException("cannot read " + configJson + ": " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) throw new WeightsException(configJson + " is not a JSON object");
    try {
      return parse(root);
    } catch (WeightsException e) {
      throw new WeightsException(configJson + ": " + e.getMessage(), e);
    }
  }

  /** Parses an already-read config.json tree; defaults are transformers.BertConfig's. */
  public static BertConfig parse(JsonNode c) {
    if (!c.hasNonNull("model_type")) {
      throw new WeightsException("config.json has no model_type; expected \"model_type\": \"bert\"");
    }
    return new BertConfig(
            c.get("model_type").asText(),
            integer(c, "vocab_size", 30522),
            integer(c, "hidden_size", 768),
            integer(c, "num_hidden_layers", 12),
            integer(c, "num_attention_heads", 12),
            integer(c, "intermediate_size", 3072),
            c.path("hidden_act").asText("gelu"),
            integer(c, "max_position_embeddings", 512),
            integer(c, "type_vocab_size", 2),
            number(c, "layer_norm_eps", 1e-12),
            number(c, "hidden_dropout_prob", 0.1),
            number(c, "attention_probs_dropout_prob", 0.1),
            integer(c, "pad_token_id", 0));
  }

  private static int integer(JsonNode c, String field, int dflt) {
    JsonNode v = c.get(field);
    if (v == null || v.isNull()) return dflt;
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new WeightsException("config.json " + field + " must be an integer, got " + v);
    }
    return v.asInt();
  }

  private static double number(JsonNode c, String field, double dflt) {
    JsonNode v = c.get(field);
    if (v == null || v.isNull()) return dflt;
    if (!v.isNumber()) throw new WeightsException("config.json " + field + " must be a number, got " + v);
    return v.asDouble();
  }

  private static void positive(String field, int value) {
    if (value <= 0) throw new WeightsException("config.json " + field + " must be > 0, got " + value);
  }

  private static void probability(String field, double p) {
    if (!(p >= 0 && p < 1)) throw new WeightsException("config.json " + field + " must be in [0, 1), got " + p);
  }
}
