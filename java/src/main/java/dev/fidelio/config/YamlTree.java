package dev.fidelio.config;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a config's YAML into a tree, with the parts of YAML that Jackson's readTree gets wrong:
 * <ul>
 *   <li>anchors and aliases ({@code &base} / {@code *base}) and merge keys ({@code <<: *base}),
 *       which Ludwig configs use to share settings between features, are expanded (Jackson reads an
 *       alias as the string "base"); expansion is bounded, so an alias bomb (nested aliases that
 *       double at each level) is an error, not gigabytes;</li>
 *   <li>a file holds exactly one document: a second one after {@code ---} is an error, as is
 *       anything after a JSON object (model_hyperparameters.json is read here too).</li>
 * </ul>
 * Scalars are typed by Jackson's YAML parser, as before.
 */
final class YamlTree {
  /** Values a config may hold after its aliases are expanded; real configs hold hundreds. */
  static final int MAX_VALUES = 100_000;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final JsonParser parser;
  private final Map<String, JsonNode> anchors = new HashMap<>();
  private long values;

  private YamlTree(JsonParser parser) {
    this.parser = parser;
  }

  /** The document's tree (MissingNode for an empty text). Syntax problems are Jackson exceptions with a location. */
  static JsonNode read(String text) throws IOException {
    try (JsonParser parser = Yaml.MAPPER.createParser(text)) {
      if (parser.nextToken() == null) return MissingNode.getInstance();
      JsonNode root = new YamlTree(parser).value();
      if (parser.nextToken() != null) {
        throw new JsonParseException(parser, "a config is one YAML document, but a second one starts here"
            + " (after '---' or after the end of the first value); remove it");
      }
      return root;
    }
  }

  /** The value at the current token (its last token becomes current). */
  private JsonNode value() throws IOException {
    if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) return alias(parser.getText());
    Object anchor = parser.getObjectId();
    JsonNode node = switch (parser.currentToken()) {
      case START_OBJECT -> object();
      case START_ARRAY -> array();
      case VALUE_STRING -> NODES.textNode(parser.getText());
      case VALUE_NUMBER_INT -> switch (parser.getNumberType()) {  // the node types readTree gives
        case INT -> NODES.numberNode(parser.getIntValue());
        case LONG -> NODES.numberNode(parser.getLongValue());
        default -> NODES.numberNode(parser.getBigIntegerValue());
      };
      case VALUE_NUMBER_FLOAT -> NODES.numberNode(parser.getDoubleValue());
      case VALUE_TRUE -> NODES.booleanNode(true);
      case VALUE_FALSE -> NODES.booleanNode(false);
      case VALUE_NULL -> NODES.nullNode();
      default -> throw new JsonParseException(parser, "unexpected YAML token " + parser.currentToken());
    };
    count(1);
    if (anchor != null) anchors.put(anchor.toString(), node);
    return node;
  }

  private JsonNode alias(String name) throws IOException {
    JsonNode target = anchors.get(name);
    if (target == null) {
      throw new JsonParseException(parser, "alias *" + name + " names no anchor &" + name + " defined before it"
          + " (an anchor must come first, and cannot contain its own alias)");
    }
    count(size(target));
    return target.deepCopy();
  }

  private ObjectNode object() throws IOException {
    ObjectNode object = NODES.objectNode();
    List<JsonNode> merged = new ArrayList<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      parser.nextToken();
      JsonNode value = value();
      if (key.equals("<<")) merged.add(value);  // YAML merge key: applied after the explicit keys, which win
      else object.set(key, value);
    }
    for (JsonNode merge : merged) {
      for (JsonNode source : merge.isArray() ? merge : List.of(merge)) {
        if (!source.isObject()) {
          throw new JsonParseException(parser, "'<<' (a merge key) must be followed by a mapping or a list of"
              + " mappings (usually *alias), found " + source.getNodeType().toString().toLowerCase());
        }
        source.properties().forEach(field -> {
          if (!object.has(field.getKey())) object.set(field.getKey(), field.getValue());
        });
      }
    }
    return object;
  }

  private ArrayNode array() throws IOException {
    ArrayNode array = NODES.arrayNode();
    while (parser.nextToken() != JsonToken.END_ARRAY) array.add(value());
    return array;
  }

  private void count(long n) throws JsonParseException {
    values += n;
    if (values > MAX_VALUES) {
      throw new JsonParseException(parser, "the config expands to more than " + MAX_VALUES + " values once its"
          + " aliases are expanded (an alias bomb?); a config needs far fewer");
    }
  }

  private static long size(JsonNode node) {
    long n = 1;
    for (JsonNode child : node) n += size(child);
    return n;
  }
}
