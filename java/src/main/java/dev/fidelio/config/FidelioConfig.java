package dev.fidelio.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A Ludwig-compatible model config, validated and with every default filled in. Obtain one with
 * {@link #load} or {@link #parse}; both throw a {@link ConfigException} listing every problem
 * before any work starts, including the settings not supported yet ({@link Unsupported}), so what
 * parses trains. Ludwig's {@code defaults:} section is merged into the features first
 * ({@link Defaults}); {@link #toYaml} renders the resolved config, the merged features included,
 * which parses back equal. Only {@code model_type: ecd} (encoder, combiner, decoder) exists, so it
 * is not a field.
 */
public record FidelioConfig(List<InputFeature> inputFeatures, List<OutputFeature> outputFeatures, Combiner combiner,
                            Trainer trainer, Preprocessing preprocessing, Backend backend) implements Yaml.Rendered {

  /**
   * The reduce_output the model applies to a text input: Ludwig's concat combiner with
   * flatten_inputs flattens a reduce_output none sequence into one row, which is reduce concat
   * (every position up to max_sequence_length).
   */
  public TextEncoder.ReduceOutput reduceOutputOf(TextInputFeature text) {
    TextEncoder.ReduceOutput reduce = text.encoder().reduceOutput();
    boolean flatten = combiner instanceof Combiner.Concat c && c.flattenInputs();
    return reduce == TextEncoder.ReduceOutput.NONE && flatten ? TextEncoder.ReduceOutput.CONCAT : reduce;
  }

  public static FidelioConfig load(Path path) throws IOException {
    String text;
    try {
      text = Files.readString(path);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new ConfigException(List.of(new ConfigError("", path + " is not UTF-8 text (a binary file?);"
              + " a config is a YAML file")));
    }
    return parse(text);
  }

  public static FidelioConfig parse(String yaml) {
    JsonNode root;
    try {
      root = YamlTree.read(yaml);
    } catch (JacksonException e) {
      throw new ConfigException(List.of(syntaxError(e)));
    } catch (IOException e) {
      throw new UncheckedIOException("reading a string cannot fail: " + e.getMessage(), e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new ConfigException(List.of(new ConfigError("", "the config is empty; it needs at least "
              + "input_features and output_features")));
    }
    if (!root.isObject()) {
      throw new ConfigException(List.of(new ConfigError("", "expected a mapping of top-level keys "
              + "(input_features, output_features, trainer, ...), found " + ConfigNode.describe(root))));
    }
    var errors = new ArrayList<ConfigError>();
    FidelioConfig config = read(ConfigNode.root(Defaults.apply((ObjectNode) root, errors), errors));
    // The whole-config checks need every section read; with a section broken they would only repeat it.
    if (errors.isEmpty()) Unsupported.check(config, errors);
    if (!errors.isEmpty()) throw new ConfigException(errors);
    return config;
  }

  /** The fully resolved config as YAML, for {@code fidelio render_config} and to save with a model. */
  public String toYaml() {
    try {
      return Yaml.MAPPER.writeValueAsString(toYamlNode());
    } catch (JacksonException e) {
      throw new UncheckedIOException("rendering a config tree cannot fail: " + e.getMessage(), e);
    }
  }

  private static FidelioConfig read(ConfigNode node) {
    String modelType = node.string("model_type", "ecd");
    if (modelType != null && !modelType.equals("ecd")) {
      node.error("model_type", "Fidelio trains only 'ecd' models (encoder, combiner, decoder); found '"
              + modelType + "'" + (List.of("gbm", "llm").contains(modelType) ? ", which is not supported yet" : ""));
    }
    node.ignore("ludwig_version");
    if (node.has("hyperopt")) {
      node.error("hyperopt", "Ludwig's 'hyperopt' section is not supported yet; remove it");
    }
    node.ignore("hyperopt");
    List<InputFeature> inputs = features(node, "input_features", InputFeature::read);
    List<OutputFeature> outputs = features(node, "output_features", OutputFeature::read);
    rejectDuplicateNames(node, inputs, outputs);
    var config = new FidelioConfig(inputs, outputs,
            Combiner.read(node.section("combiner")),
            Trainer.read(node.section("trainer"), outputs),
            Preprocessing.read(node.section("preprocessing")),
            Backend.read(node.section("backend")));
    node.rejectUnknownKeys();
    return config;
  }

  /** Reads a required, non-empty feature list; features that failed to read are left out. */
  private static <T> List<T> features(ConfigNode node, String key, Function<ConfigNode, T> reader) {
    if (!node.has(key)) {
      node.error(key, "missing required key '" + key + "'; a model needs at least one, e.g. "
              + key + ": [{name: review, type: text}]");
      node.ignore(key);
      return List.of();
    }
    List<ConfigNode> items = node.sectionList(key);
    if (items.isEmpty() && node.raw(key).isArray()) {
      node.error(key, "is an empty list; a model needs at least one " + key.replace("_features", "") + " feature");
    }
    return items.stream().map(reader).filter(Objects::nonNull).toList();
  }

  /** Names key the model's modules and its outputs, so one name may not be used twice. */
  private static void rejectDuplicateNames(ConfigNode node, List<InputFeature> inputs, List<OutputFeature> outputs) {
    Map<String, String> firstUse = new HashMap<>();
    for (int i = 0; i < inputs.size(); i++) claim(node, firstUse, inputs.get(i).name(), "input_features[" + i + "]");
    for (int i = 0; i < outputs.size(); i++) claim(node, firstUse, outputs.get(i).name(), "output_features[" + i + "]");
  }

  private static void claim(ConfigNode node, Map<String, String> firstUse, String name, String path) {
    if (name == null) return;
    String previous = firstUse.putIfAbsent(name, path);
    if (previous != null) {
      node.error(path + ".name", "duplicate feature name '" + name + "', already used by " + previous
              + "; feature names must be unique across input and output features (use 'column' to read "
              + "the same column twice)");
    }
  }

  private static ConfigError syntaxError(JacksonException e) {
    JsonLocation at = e.getLocation();
    String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    return new ConfigError("", "YAML syntax error" + where + ": " + e.getOriginalMessage());
  }

  @Override
  public JsonNode toYamlNode() {
    return Yaml.map("model_type", "ecd", "input_features", inputFeatures, "output_features", outputFeatures,
            "combiner", combiner, "trainer", trainer, "preprocessing", preprocessing, "backend", backend);
  }
}
