package dev.fidelio.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.fidelio.config.ConfigException;
import dev.fidelio.config.FidelioConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A validated model config (Ludwig's YAML keys: input_features, output_features, combiner, trainer,
 * preprocessing, backend), with every default filled in. Immutable and thread-safe: one config may
 * train any number of models, at once or one after another.
 *
 * <p>Validation runs when the config is made, before any work: an invalid config throws
 * {@link InvalidConfigException} listing every problem with its path, as {@code fidelio render_config}
 * does.
 */
public final class ModelConfig {
  private final FidelioConfig config;
  private final String source;

  private ModelConfig(FidelioConfig config, String source) {
    this.config = config;
    this.source = source;
  }

  /** From YAML text (one document). */
  public static ModelConfig fromYaml(String yaml) {
    return new ModelConfig(parse(() -> FidelioConfig.parse(yaml)), "<yaml text>");
  }

  /** From a YAML file; its path is recorded in each run's description.json. */
  public static ModelConfig fromFile(Path file) {
    return new ModelConfig(parse(() -> {
      try {
        return FidelioConfig.load(file);
      } catch (NoSuchFileException e) {
        throw new IllegalArgumentException("config file " + file + " not found", e);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read config " + file + ": " + e.getMessage(), e);
      }
    }), file.toString());
  }

  /**
   * From nested maps and lists, as a YAML or JSON parser yields them
   * ({@code Map.of("input_features", List.of(Map.of("name", "text", "type", "text")), ...)}); values
   * are strings, numbers, booleans, null, lists and maps.
   */
  public static ModelConfig fromMap(Map<String, ?> config) {
    String yaml;
    try {
      // Through YAML text, so that a map is read by exactly the parser and checks a file goes through.
      yaml = new YAMLMapper().writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the config map cannot be written as YAML: " + e.getOriginalMessage(), e);
    }
    return new ModelConfig(parse(() -> FidelioConfig.parse(yaml)), "<map>");
  }

  /** The resolved config as YAML, every default filled in (what {@code fidelio render_config} prints). */
  public String toYaml() {
    try {
      return new YAMLMapper().writeValueAsString(config.toYamlNode());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a config tree always serialises", e);
    }
  }

  /** Names of the input features, in config order: the keys a row for prediction needs. */
  public java.util.List<String> inputFeatureNames() {
    return config.inputFeatures().stream().map(f -> f.name()).toList();
  }

  /** Names of the output features, in config order. */
  public java.util.List<String> outputFeatureNames() {
    return config.outputFeatures().stream().map(f -> f.name()).toList();
  }

  FidelioConfig internal() {
    return config;
  }

  /** Where the config came from: a file path, {@code <yaml text>} or {@code <map>}. */
  String source() {
    return source;
  }

  @Override
  public String toString() {
    return "ModelConfig[" + source + "]";
  }

  private static FidelioConfig parse(java.util.function.Supplier<FidelioConfig> reader) {
    try {
      return reader.get();
    } catch (ConfigException e) {
      throw new InvalidConfigException(e.getMessage(), e.errors().stream().map(Object::toString).toList(), e);
    }
  }
}
