package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One YAML mapping of the config being read at a known path. Each typed read fills Ludwig's default
 * when the key is absent, records the key as known, and reports a problem (path, value found, what is
 * allowed) to the shared error list instead of throwing, so that one pass finds every problem.
 * After reading, {@link #rejectUnknownKeys()} reports the keys no reader asked for.
 */
final class ConfigNode {
  private final JsonNode mapping;
  private final String path;
  private final List<ConfigError> errors;
  private final Set<String> knownKeys = new LinkedHashSet<>();

  private ConfigNode(JsonNode mapping, String path, List<ConfigError> errors) {
    this.mapping = mapping;
    this.path = path;
    this.errors = errors;
  }

  static ConfigNode root(JsonNode mapping, List<ConfigError> errors) {
    return new ConfigNode(mapping, "", errors);
  }

  /** A mapping read as if it stood at {@code path}, e.g. a {@code defaults:} entry checked on its own. */
  static ConfigNode at(JsonNode mapping, String path, List<ConfigError> errors) {
    return new ConfigNode(mapping, path, errors);
  }

  String path(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  void error(String key, String message) {
    errors.add(new ConfigError(path(key), message));
  }

  boolean has(String key) {
    JsonNode value = mapping.get(key);
    return value != null && !value.isNull();
  }

  /** True when the key is written with an explicit null, which some keys read as "turn off". */
  boolean hasExplicitNull(String key) {
    JsonNode value = mapping.get(key);
    return value != null && value.isNull();
  }

  /** Marks a key as accepted without reading it (e.g. {@code ludwig_version}, informational only). */
  void ignore(String key) {
    knownKeys.add(key);
  }

  /** Reports every key that no read asked for, with the closest known key as a suggestion. */
  void rejectUnknownKeys() {
    for (String key : (Iterable<String>) () -> mapping.fieldNames()) {
      if (knownKeys.contains(key)) continue;
      String hint = DidYouMean.closest(key, knownKeys).map(k -> "did you mean '" + k + "'? ").orElse("");
      error(key, "unknown key '" + key + "'; " + hint + "allowed keys here: " + String.join(", ", knownKeys));
    }
  }

  // ---- nested sections ----

  /** A nested mapping; absent or null gives an empty section, so every key takes its default. */
  ConfigNode section(String key) {
    JsonNode value = read(key);
    if (value != null && !value.isObject()) {
      error(key, "expected a mapping of keys, found " + describe(value));
      value = null;
    }
    return new ConfigNode(value == null ? MissingNode.getInstance() : value, path(key), errors);
  }

  /** A list of mappings, such as {@code input_features} or {@code fc_layers}. */
  List<ConfigNode> sectionList(String key) {
    JsonNode value = read(key);
    if (value == null) return List.of();
    if (!value.isArray()) {
      error(key, "expected a list of mappings, found " + describe(value));
      return List.of();
    }
    var items = new ArrayList<ConfigNode>();
    for (int i = 0; i < value.size(); i++) {
      String itemPath = path(key) + "[" + i + "]";
      if (value.get(i).isObject()) {
        items.add(new ConfigNode(value.get(i), itemPath, errors));
      } else {
        errors.add(new ConfigError(itemPath, "expected a mapping of keys, found " + describe(value.get(i))));
      }
    }
    return items;
  }

  // ---- scalars ----

  String string(String key, String defaultValue) {
    JsonNode value = read(key);
    if (value == null) return defaultValue;
    if (!value.isTextual()) {
      error(key, "expected a string, found " + describe(value));
      return defaultValue;
    }
    return value.asText();
  }

  /**
   * A string or integer written as text ("16", "16_bn"): Ludwig's options where some values are
   * integers (vgg's model_variant is 11 or "11_bn").
   */
  String stringOrInteger(String key, String defaultValue) {
    JsonNode value = read(key);
    if (value == null) return defaultValue;
    if (value.isTextual() || value.canConvertToExactIntegral()) return value.asText();
    error(key, "expected a string or an integer, found " + describe(value));
    return defaultValue;
  }

  /** A string the user must give; {@code meaning} says what it is for, so the error can teach. */
  String requiredString(String key, String meaning) {
    if (!has(key)) {
      error(key, "missing required key '" + key + "' (" + meaning + ")");
      knownKeys.add(key);
      return null;
    }
    String value = string(key, null);
    if (value != null && value.isBlank()) {
      error(key, "must not be empty (" + meaning + ")");
    }
    return value;
  }

  boolean bool(String key, boolean defaultValue) {
    JsonNode value = read(key);
    if (value == null) return defaultValue;
    if (!value.isBoolean()) {
      error(key, "expected true or false, found " + describe(value));
      return defaultValue;
    }
    return value.booleanValue();
  }

  int integer(String key, int defaultValue, int min, int max) {
    Integer value = optionalInteger(key, defaultValue, min, max);
    return value == null ? defaultValue : value;
  }

  /** An integer that may be {@code null} in Ludwig's schema; absent gives {@code defaultValue}. */
  Integer optionalInteger(String key, Integer defaultValue, int min, int max) {
    JsonNode value = read(key);
    if (value == null) return defaultValue;
    if (!value.canConvertToExactIntegral() || !value.canConvertToInt()) {
      error(key, "expected an integer " + range(min, max) + ", found " + describe(value));
      return defaultValue;
    }
    int number = value.asInt();
    if (number < min || number > max) {
      error(key, "expected an integer " + range(min, max) + ", found " + number);
      return defaultValue;
    }
    return number;
  }

  double decimal(String key, double defaultValue, double min, double max) {
    Double value = optionalDecimal(key, defaultValue, min, max);
    return value == null ? defaultValue : value;
  }

  Double optionalDecimal(String key, Double defaultValue, double min, double max) {
    JsonNode value = read(key);
    if (value == null) return defaultValue;
    Double number = asDecimal(value);
    if (number == null) {
      error(key, "expected a number " + range(min, max) + ", found " + describe(value));
      return defaultValue;
    }
    if (number < min || number > max) {
      error(key, "expected a number " + range(min, max) + ", found " + number);
      return defaultValue;
    }
    return number;
  }

  /** A list of numbers, each in [min, max]; absent gives {@code defaultValue} (which may be null). */
  List<Double> decimals(String key, List<Double> defaultValue, double min, double max) {
    JsonNode value = read(key);
    if (value == null) return defaultValue;
    if (!value.isArray()) {
      error(key, "expected a list of numbers, found " + describe(value));
      return defaultValue;
    }
    var numbers = new ArrayList<Double>();
    for (int i = 0; i < value.size(); i++) {
      Double number = asDecimal(value.get(i));
      if (number == null || number < min || number > max) {
        error(key + "[" + i + "]", "expected a number " + range(min, max) + ", found " + describe(value.get(i)));
        return defaultValue;
      }
      numbers.add(number);
    }
    return List.copyOf(numbers);
  }

  /** An integer or the word {@code auto}. */
  AutoOr<Integer> autoOrInteger(String key, AutoOr<Integer> defaultValue, int min, int max) {
    JsonNode value = read(key);
    if (value == null) return defaultValue;
    if (value.isTextual() && value.asText().equals("auto")) return AutoOr.auto();
    if (!value.canConvertToExactIntegral() || !value.canConvertToInt() || value.asInt() < min || value.asInt() > max) {
      error(key, "expected 'auto' or an integer " + range(min, max) + ", found " + describe(value));
      return defaultValue;
    }
    return AutoOr.of(value.asInt());
  }

  /** A number or the word {@code auto}. */
  AutoOr<Double> autoOrDecimal(String key, AutoOr<Double> defaultValue, double min, double max) {
    JsonNode value = read(key);
    if (value == null) return defaultValue;
    if (value.isTextual() && value.asText().equals("auto")) return AutoOr.auto();
    Double number = asDecimal(value);
    if (number == null || number < min || number > max) {
      error(key, "expected 'auto' or a number " + range(min, max) + ", found " + describe(value));
      return defaultValue;
    }
    return AutoOr.of(number);
  }

  /** One of an enum's Ludwig spellings; {@code null} is accepted only when the default is null. */
  <E extends Enum<E> & ConfigEnum> E choice(String key, Class<E> options, E defaultValue) {
    return choice(key, Arrays.asList(options.getEnumConstants()), defaultValue);
  }

  /** One of {@code allowed}, a subset of an enum that this feature type accepts. */
  <E extends Enum<E> & ConfigEnum> E choice(String key, List<E> allowed, E defaultValue) {
    JsonNode value = mapping.get(key);
    knownKeys.add(key);
    if (value == null || (value.isNull() && defaultValue == null)) return defaultValue;
    if (value.isNull()) {
      for (E option : allowed) {
        if (option.yamlName() == null) return option;  // null spells this option (no norm, no activation)
      }
    }
    var names = allowed.stream().map(ConfigEnum::yamlName).filter(java.util.Objects::nonNull).toList();
    boolean nullable = defaultValue == null || allowed.stream().anyMatch(o -> o.yamlName() == null);
    if (value.isTextual()) {
      for (E option : allowed) {
        if (value.asText().equals(option.yamlName())) return option;
      }
    }
    error(key, notOneOf(value, names, nullable));
    return defaultValue;
  }

  /** A choice whose default is an option but where an explicit {@code null} turns it off. */
  <E extends Enum<E> & ConfigEnum> E nullableChoice(String key, Class<E> options, E defaultValue) {
    JsonNode value = mapping.get(key);
    if (value != null && value.isNull()) {
      knownKeys.add(key);
      return null;
    }
    return choice(key, options, defaultValue);
  }

  /**
   * The {@code type} discriminator of a sealed section. Returns null (after reporting) when it is
   * missing without a default, recognised but not implemented yet, or unknown.
   */
  String type(String defaultType, List<String> supported, List<String> notYetSupported) {
    JsonNode value = read("type");
    if (value == null) {
      if (defaultType == null) error("type", "missing required key 'type'; one of: " + String.join(", ", supported));
      return defaultType;
    }
    if (value.isTextual() && supported.contains(value.asText())) return value.asText();
    if (value.isTextual() && notYetSupported.contains(value.asText())) {
      error("type", "'" + value.asText() + "' is a Ludwig option that Fidelio does not support yet; supported: "
              + String.join(", ", supported));
    } else {
      error("type", notOneOf(value, supported, false)
              + (value.isTextual() ? suggestUnsupported(value.asText(), supported, notYetSupported) : ""));
    }
    return null;
  }

  /** Points a typo of a not-yet-supported Ludwig type at that type, so the user learns both facts. */
  private static String suggestUnsupported(String typed, List<String> supported, List<String> notYetSupported) {
    if (DidYouMean.closest(typed, supported).isPresent()) return "";
    return DidYouMean.closest(typed, notYetSupported)
            .map(t -> "; did you mean '" + t + "'? (a Ludwig type Fidelio does not support yet)").orElse("");
  }

  /** A free-form mapping of parameters passed through unchanged (e.g. {@code norm_params}). */
  Map<String, Object> parameters(String key) {
    JsonNode value = read(key);
    if (value == null) return null;
    if (!value.isObject()) {
      error(key, "expected a mapping of parameters or null, found " + describe(value));
      return null;
    }
    var result = new LinkedHashMap<String, Object>();
    value.properties().forEach(e -> result.put(e.getKey(), Yaml.MAPPER.convertValue(e.getValue(), Object.class)));
    return result;
  }

  /** The raw value for readers with their own shape (e.g. class weights as list or mapping). */
  JsonNode raw(String key) {
    return read(key);
  }

  /** The raw value, with an explicit {@code null} kept apart from a missing key (null). */
  JsonNode rawIncludingNull(String key) {
    knownKeys.add(key);
    return mapping.get(key);
  }

  private JsonNode read(String key) {
    knownKeys.add(key);
    JsonNode value = mapping.get(key);
    return value == null || value.isNull() ? null : value;
  }

  private static Double asDecimal(JsonNode value) {
    if (value.isNumber()) return value.doubleValue();
    return null;
  }

  private static String notOneOf(JsonNode value, List<String> names, boolean nullable) {
    String allowed = names.stream().collect(Collectors.joining(", ")) + (nullable ? " or null" : "");
    String hint = value.isTextual()
            ? DidYouMean.closest(value.asText(), names).map(n -> "; did you mean '" + n + "'?").orElse("")
            : "";
    return "expected one of " + allowed + ", found " + describe(value) + hint;
  }

  private static String range(double min, double max) {
    boolean noMin = min == Integer.MIN_VALUE || min == -Double.MAX_VALUE;
    boolean noMax = max == Integer.MAX_VALUE || max == Double.MAX_VALUE;
    if (noMin && noMax) return "";
    if (min == Double.MIN_VALUE) return noMax ? "> 0" : "in (0, " + trim(max) + "]";
    if (noMax) return ">= " + trim(min);
    if (noMin) return "<= " + trim(max);
    return "in [" + trim(min) + ", " + trim(max) + "]";
  }

  private static String trim(double number) {
    return number == Math.rint(number) ? Long.toString((long) number) : Double.toString(number);
  }

  /** The value as the user wrote it, with its YAML kind, for "found ..." in messages. */
  static String describe(JsonNode value) {
    if (value == null || value.isNull()) return "null";
    if (value.isTextual()) return "'" + value.asText() + "' (a string)";
    if (value.isArray()) return "a list " + value;
    if (value.isObject()) return "a mapping " + value;
    return value.asText();
  }
}
