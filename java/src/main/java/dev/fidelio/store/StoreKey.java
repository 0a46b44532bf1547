package dev.fidelio.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.InputFeature;
import dev.fidelio.config.OutputFeature;
import dev.fidelio.data.DataFormat;
import dev.fidelio.util.Digests;
import java.nio.file.Path;
import java.util.Map;

/**
 * The preprocessed store's cache key: SHA-256 over everything that determines the stored tensors,
 * recorded in full beside the hash. Unlike Ludwig's (file mtime, no encoder settings) it hashes the
 * dataset's bytes, and for features whose encoder output is cached, the encoder's identity
 * (weights digest, tokenizer, max length, reduce_output) given by the caller in featureIdentities.
 * What does not change the tensors (trainer, combiner, losses) is left out, so changing it reuses.
 */
public record StoreKey(String hash, ObjectNode components) {
  /** Bump when the stored layout or any preprocessing code changes what a key's tensors would be. */
  public static final int FORMAT = 2; // 2: text metadata holds config.json's fields and the described sizes

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * featureIdentities: per input feature name, what its preprocessing depends on beyond the config
   * (the tokenizer's digest and resolved max length; with cached embeddings the encoder's identity).
   */
  public static StoreKey of(FidelioConfig config, Path dataset, String datasetSha256, long randomSeed,
                            String fidelioVersion, Map<String, ObjectNode> featureIdentities) {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    ObjectNode c = nodes.objectNode();
    c.put("store_format", FORMAT);
    c.put("fidelio_version", fidelioVersion);
    ObjectNode data = c.putObject("dataset");
    data.put("sha256", datasetSha256);
    data.put("format", DataFormat.fromExtension(dataset).ludwigName());
    // The seed draws the split and the sample: the same settings with another seed are other rows.
    c.put("random_seed", randomSeed);
    c.set("preprocessing", config.preprocessing().toYamlNode());
    var inputs = c.putArray("input_features");
    for (InputFeature input : config.inputFeatures()) {
      ObjectNode feature = describe(input.toYamlNode());
      ObjectNode identity = featureIdentities.get(input.name());
      if (identity != null) feature.set("identity", identity);
      inputs.add(feature);
    }
    var outputs = c.putArray("output_features");
    for (OutputFeature output : config.outputFeatures()) outputs.add(describe(output.toYamlNode()));
    return new StoreKey(Digests.sha256(canonical(c)), c);
  }

  /** A feature's name, type, column and preprocessing: what shapes its stored column. */
  private static ObjectNode describe(JsonNode feature) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (String field : new String[] {"name", "type", "column", "preprocessing"}) {
      if (feature.has(field)) out.set(field, feature.get(field));
    }
    return out;
  }

  static byte[] canonical(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }
}
