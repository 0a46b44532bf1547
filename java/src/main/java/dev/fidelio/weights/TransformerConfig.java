package dev.fidelio.weights;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face {@code config.json}, family-neutral: its model_type and every field the native
 * encoder may read (numbers, booleans, strings, lists of strings; nested objects and nulls are no
 * architecture). Java interprets none of the sizes: the native family owns the defaults and the
 * errors that name a bad field, and {@code fdl_text_encoder_describe} reports what it built.
 *
 * @param fields values are Double, Boolean, String or List of String, in config.json's order
 */
@JsonIgnoreProperties(ignoreUnknown = true) // older model folders: see the check below
public record TransformerConfig(String modelType, Map<String, Object> fields) {
  /** fdl_config_value joins a list of strings with '|' (split_texts in text_encoder_api.cpp). */
  public static final String LIST_SEPARATOR = "|";

  public TransformerConfig {
    if (modelType == null || modelType.isBlank()) {
      throw new WeightsException("config.json has no model_type; Hugging Face's AutoModel needs it too "
          + "(e.g. \"model_type\": \"roberta\")");
    }
    if (fields == null) {
      throw new WeightsException("the encoder config has no config.json fields: the model was saved by a Fidelio "
          + "that knew BERT only (training_set_metadata.json); train it again");
    }
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  public static TransformerConfig read(Path configJson) {
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

  /** Keeps the fields native can take; the rest (id2label, task_specific_params, nulls) describe no layer. */
  public static TransformerConfig parse(JsonNode c) {
    Map<String, Object> fields = new LinkedHashMap<>();
    for (var entry : c.properties()) {
      JsonNode v = entry.getValue();
      if (v.isNumber()) fields.put(entry.getKey(), v.asDouble());
      else if (v.isBoolean()) fields.put(entry.getKey(), v.asBoolean());
      else if (v.isTextual()) fields.put(entry.getKey(), v.asText());
      else if (v.isArray()) texts(v).ifPresent(list -> fields.put(entry.getKey(), list));
    }
    Object type = fields.get("model_type");
    return new TransformerConfig(type instanceof String s ? s : null, fields);
  }

  /** An array whose items are all strings without the ABI's separator, as a list; others are skipped. */
  private static java.util.Optional<List<String>> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (JsonNode item : array) {
      if (!item.isTextual() || item.asText().contains(LIST_SEPARATOR)) return java.util.Optional.empty();
      out.add(item.asText());
    }
    return java.util.Optional.of(List.copyOf(out));
  }

  /** A numeric field, or dflt when config.json does not give it (for Java-side estimates, not architecture). */
  public int integer(String field, int dflt) {
    return (int) number(field, dflt);
  }

  /** A numeric field, or dflt when config.json does not give it. */
  public double number(String field, double dflt) {
    return fields.get(field) instanceof Number n ? n.doubleValue() : dflt;
  }

  /** The same config with one field replaced, e.g. a smaller encoder for a benchmark. */
  public TransformerConfig with(String field, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(fields);
    copy.put(field, value instanceof Number n ? n.doubleValue() : value);
    return new TransformerConfig(modelType, copy);
  }
}
