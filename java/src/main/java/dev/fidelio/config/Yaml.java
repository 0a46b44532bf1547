package dev.fidelio.config;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.List;
import java.util.Map;

/** The one Jackson YAML mapper for configs, and the helpers records use to render themselves. */
final class Yaml {
  /**
   * Duplicate keys are an error (YAML would silently keep the last one). Strings that look like
   * numbers stay quoted so that a column named "1" re-parses as a string.
   */
  static final YAMLMapper MAPPER = YAMLMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .build();

  private Yaml() {}

  /** A YAML mapping from alternating keys and values, in the order Ludwig documents them. */
  static ObjectNode map(Object... keysAndValues) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      node.set((String) keysAndValues[i], value(keysAndValues[i + 1]));
    }
    return node;
  }

  /** Converts a config value (record, enum, AutoOr, list, map or scalar) to a YAML node. */
  static JsonNode value(Object value) {
    return switch (value) {
      case null -> JsonNodeFactory.instance.nullNode();
      case JsonNode node -> node;
      case Rendered section -> section.toYamlNode();
      case ConfigEnum option -> option.yamlName() == null ? JsonNodeFactory.instance.nullNode()
              : JsonNodeFactory.instance.textNode(option.yamlName());
      case AutoOr.Auto<?> auto -> JsonNodeFactory.instance.textNode("auto");
      case AutoOr.Value<?> given -> value(given.value());
      case List<?> list -> {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        list.forEach(item -> array.add(value(item)));
        yield array;
      }
      case Map<?, ?> map -> {
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        map.forEach((k, v) -> object.set(String.valueOf(k), value(v)));
        yield object;
      }
      default -> MAPPER.valueToTree(value);
    };
  }

  /** A config record that knows its Ludwig keys, rendered in the fully resolved form. */
  interface Rendered {
    JsonNode toYamlNode();
  }
}
