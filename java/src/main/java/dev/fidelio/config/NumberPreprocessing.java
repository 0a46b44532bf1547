package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Preprocessing of a number column, as input or output. Ludwig's defaults differ by role: inputs are
 * z-scored and missing cells filled with 0; outputs are not normalized and rows with a missing target
 * are dropped (a filled-in target would teach the model a made-up answer).
 *
 * @param normalization null means the raw value
 * @param outlierStrategy what to do with values more than {@code outlierThreshold} standard
 *     deviations from the mean; null leaves them in
 */
public record NumberPreprocessing(Normalization normalization, MissingValueStrategy missingValueStrategy,
                                  double fillValue, MissingValueStrategy outlierStrategy, double outlierThreshold)
        implements Yaml.Rendered {

  public enum Normalization implements ConfigEnum { ZSCORE, MINMAX, LOG1P, IQ }

  static final List<MissingValueStrategy> STRATEGIES = List.of(MissingValueStrategy.FILL_WITH_CONST,
          MissingValueStrategy.FILL_WITH_MODE, MissingValueStrategy.FILL_WITH_MEAN, MissingValueStrategy.BFILL,
          MissingValueStrategy.FFILL, MissingValueStrategy.DROP_ROW);

  static NumberPreprocessing readInput(ConfigNode node) {
    return read(node, Normalization.ZSCORE, MissingValueStrategy.FILL_WITH_CONST);
  }

  static NumberPreprocessing readOutput(ConfigNode node) {
    return read(node, null, MissingValueStrategy.DROP_ROW);
  }

  private static NumberPreprocessing read(ConfigNode node, Normalization defaultNormalization,
                                          MissingValueStrategy defaultStrategy) {
    var preprocessing = new NumberPreprocessing(
            node.nullableChoice("normalization", Normalization.class, defaultNormalization),
            node.choice("missing_value_strategy", STRATEGIES, defaultStrategy),
            node.decimal("fill_value", 0.0, -Double.MAX_VALUE, Double.MAX_VALUE),
            node.choice("outlier_strategy", STRATEGIES, null),
            node.decimal("outlier_threshold", 3.0, 0.0, Double.MAX_VALUE));
    node.rejectUnknownKeys();
    return preprocessing;
  }

  @Override
  public JsonNode toYamlNode() {
    return Yaml.map("normalization", normalization, "missing_value_strategy", missingValueStrategy,
            "fill_value", fillValue, "outlier_strategy", outlierStrategy, "outlier_threshold", outlierThreshold);
  }
}
