package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Preprocessing of a category column, as input or output (outputs default to dropping rows whose
 * label is missing).
 *
 * @param mostCommon the vocabulary keeps this many most frequent classes; the rest map to fill_value
 */
public record CategoryPreprocessing(MissingValueStrategy missingValueStrategy, String fillValue, boolean lowercase,
                                    int mostCommon) implements Yaml.Rendered {

  static final List<MissingValueStrategy> STRATEGIES = List.of(MissingValueStrategy.FILL_WITH_CONST,
          MissingValueStrategy.FILL_WITH_MODE, MissingValueStrategy.BFILL, MissingValueStrategy.FFILL,
          MissingValueStrategy.DROP_ROW);

  static CategoryPreprocessing read(ConfigNode node, MissingValueStrategy defaultStrategy) {
    var preprocessing = new CategoryPreprocessing(
            node.choice("missing_value_strategy", STRATEGIES, defaultStrategy),
            node.string("fill_value", "<UNK>"),
            node.bool("lowercase", false),
            node.integer("most_common", 10000, 1, Integer.MAX_VALUE));
    node.rejectUnknownKeys();
    return preprocessing;
  }

  @Override
  public JsonNode toYamlNode() {
    return Yaml.map("missing_value_strategy", missingValueStrategy, "fill_value", fillValue,
            "lowercase", lowercase, "most_common", mostCommon);
  }
}
