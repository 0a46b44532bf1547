package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Ludwig's top-level {@code defaults:} section: per feature type, {@code preprocessing} and
 * {@code encoder} for input features, {@code decoder} and {@code loss} for output features, merged
 * under each feature's own keys before the features are read. The rules are Ludwig's
 * ({@code merge_with_defaults} in ludwig/schema/model_types/utils.py): the feature's keys win; nested
 * mappings merge key by key, except that a section whose {@code type} differs from the default's
 * replaces it whole (an encoder default for bert says nothing about an auto_transformer encoder).
 * The merged features are what {@code render_config} prints and what the model folder saves.
 */
final class Defaults {
  private static final List<String> SECTIONS = List.of("preprocessing", "encoder", "decoder", "loss");
  private static final Set<String> INPUT_SECTIONS = Set.of("preprocessing", "encoder");
  private static final Set<String> OUTPUT_SECTIONS = Set.of("decoder", "loss");

  private Defaults() {}

  /**
   * A copy of {@code root} with the defaults merged into every feature and the {@code defaults}
   * key removed; problems of the section itself (unknown types or sections, and values each
   * section's reader rejects, checked on their own at {@code defaults.<type>.<section>}) go to
   * {@code errors}.
   */
  static ObjectNode apply(ObjectNode root, List<ConfigError> errors) {
    ObjectNode merged = root.deepCopy();
    JsonNode defaults = merged.remove("defaults");
    if (defaults == null || defaults.isNull()) return merged;
    if (!defaults.isObject()) {
      errors.add(new ConfigError("defaults", "expected a mapping of feature types (text: {encoder: ...}, "
              + "category: {preprocessing: ...}), found " + ConfigNode.describe(defaults)));
      return merged;
    }
    for (Map.Entry<String, JsonNode> entry : defaults.properties()) {
      check(entry.getKey(), entry.getValue(), errors);
    }
    mergeInto(merged.get("input_features"), (ObjectNode) defaults, OUTPUT_SECTIONS);
    mergeInto(merged.get("output_features"), (ObjectNode) defaults, INPUT_SECTIONS);
    return merged;
  }

  private static void mergeInto(JsonNode features, ObjectNode defaults, Set<String> excluded) {
    if (features == null || !features.isArray()) return;
    for (JsonNode feature : features) {
      JsonNode type = feature.get("type");
      if (!feature.isObject() || type == null || !type.isTextual()) continue;
      JsonNode typeDefaults = defaults.get(type.asText());
      if (typeDefaults == null || !typeDefaults.isObject()) continue;
      ObjectNode result = merge((ObjectNode) typeDefaults, (ObjectNode) feature, excluded);
      ((ObjectNode) feature).removeAll().setAll(result);
    }
  }

  /** Ludwig's _merge_dict_with_types: {@code own} over {@code base}, recursing where the types agree. */
  private static ObjectNode merge(ObjectNode base, ObjectNode own, Set<String> excluded) {
    ObjectNode result = base.deepCopy();
    result.remove(excluded);
    for (Map.Entry<String, JsonNode> entry : own.properties()) {
      JsonNode mine = entry.getValue();
      JsonNode theirs = result.get(entry.getKey());
      if (theirs != null && theirs.isObject() && mine.isObject() && sameType(theirs, mine)) {
        result.set(entry.getKey(), merge((ObjectNode) theirs, (ObjectNode) mine, excluded));
      } else {
        result.set(entry.getKey(), mine.deepCopy());
      }
    }
    return result;
  }

  /** A section without its own {@code type} takes the default's, so it merges. */
  private static boolean sameType(JsonNode base, JsonNode own) {
    JsonNode ownType = own.get("type");
    return ownType == null || ownType.equals(base.get("type"));
  }

  /**
   * Checks one {@code defaults.<type>} entry: the type must be one Fidelio reads in the roles the
   * entry's sections are for, and each section must be what that feature type's reader accepts.
   */
  private static void check(String type, JsonNode entry, List<ConfigError> errors) {
    String path = "defaults." + type;
    boolean input = InputFeature.TYPES.contains(type);
    boolean output = OutputFeature.TYPES.contains(type);
    if (!input && !output) {
      boolean ludwig = InputFeature.LUDWIG_TYPES_NOT_YET_SUPPORTED.contains(type)
              || OutputFeature.LUDWIG_TYPES_NOT_YET_SUPPORTED.contains(type);
      errors.add(new ConfigError(path, (ludwig ? "'" + type + "' is a Ludwig feature type that Fidelio does "
              + "not support yet, so these defaults would apply to nothing; remove them"
              : "unknown feature type '" + type + "'") + "; feature types with defaults here: "
              + String.join(", ", InputFeature.TYPES)));
      return;
    }
    if (!entry.isObject()) {
      errors.add(new ConfigError(path, "expected a mapping with any of " + String.join(", ", SECTIONS)
              + ", found " + ConfigNode.describe(entry)));
      return;
    }
    ObjectNode inputStub = stub(type);
    ObjectNode outputStub = stub(type);
    for (Iterator<String> keys = entry.fieldNames(); keys.hasNext(); ) {
      String section = keys.next();
      if (!SECTIONS.contains(section)) {
        String hint = DidYouMean.closest(section, SECTIONS).map(s -> "did you mean '" + s + "'? ").orElse("");
        errors.add(new ConfigError(path + "." + section, "unknown key '" + section + "'; " + hint
                + "allowed keys here: " + String.join(", ", SECTIONS)));
      } else if (INPUT_SECTIONS.contains(section) && !input) {
        errors.add(new ConfigError(path + "." + section, "Fidelio has no " + type + " input features, "
                + "so these defaults would apply to nothing; remove them"));
      } else if (OUTPUT_SECTIONS.contains(section) && !output) {
        errors.add(new ConfigError(path + "." + section, "Fidelio has no " + type + " output features yet "
                + "(output types: " + String.join(", ", OutputFeature.TYPES) + "), so these defaults would "
                + "apply to nothing; remove them"));
      } else {
        (INPUT_SECTIONS.contains(section) ? inputStub : outputStub).set(section, entry.get(section));
      }
    }
    // Each section is read as a feature of this type would read it, with errors at defaults.<type>.
    // Keys a feature must give itself (an auto_transformer's model name) may be left to the feature.
    var found = new ArrayList<ConfigError>();
    if (inputStub.size() > 2) InputFeature.read(ConfigNode.at(inputStub, path, found));
    if (outputStub.size() > 2) OutputFeature.read(ConfigNode.at(outputStub, path, found));
    found.stream().filter(e -> !e.message().startsWith("missing required key")).forEach(errors::add);
  }

  private static ObjectNode stub(String type) {
    return Yaml.map("name", "defaults", "type", type);
  }
}
