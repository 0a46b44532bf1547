package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** How rows are divided into training, validation and test sets. */
public sealed interface Split extends Yaml.Rendered {
  List<Double> DEFAULT_PROBABILITIES = List.of(0.7, 0.1, 0.2);

  /** Shuffled rows in the given train/validation/test proportions (Ludwig's default). */
  record Random(List<Double> probabilities) implements Split {}

  /** A column holding 0 (train), 1 (validation) or 2 (test) per row. */
  record Fixed(String column) implements Split {}

  /** Random, but keeping each class of {@code column} in the same proportions in every split. */
  record Stratify(String column, List<Double> probabilities) implements Split {}

  /** Oldest rows to train, newest to test, ordered by a date column. */
  record Datetime(String column, List<Double> probabilities) implements Split {}

  /** Deterministic by a hash of an id column, so a row keeps its split when data is added. */
  record Hash(String column, List<Double> probabilities) implements Split {}

  static Split read(ConfigNode node) {
    String type = node.type("random", List.of("random", "fixed", "stratify", "datetime", "hash"), List.of());
    if (type == null) return null;
    Split split = switch (type) {
      case "random" -> new Random(probabilities(node));
      case "fixed" -> new Fixed(node.string("column", "split"));
      case "stratify" -> new Stratify(column(node, "the category column whose classes are balanced"),
              probabilities(node));
      case "datetime" -> new Datetime(column(node, "the date column that orders the rows"),
              probabilities(node));
      case "hash" -> new Hash(column(node, "the id column to hash"), probabilities(node));
      default -> throw new IllegalStateException("type() returned an unlisted type " + type);
    };
    node.rejectUnknownKeys();
    return split;
  }

  private static String column(ConfigNode node, String meaning) {
    return node.requiredString("column", meaning);
  }

  private static List<Double> probabilities(ConfigNode node) {
    List<Double> probabilities = node.decimals("probabilities", DEFAULT_PROBABILITIES, 0.0, 1.0);
    if (probabilities.size() != 3) {
      node.error("probabilities", "expected three numbers [train, validation, test], found "
              + probabilities.size() + " " + probabilities);
      return DEFAULT_PROBABILITIES;
    }
    double sum = probabilities.stream().mapToDouble(Double::doubleValue).sum();
    // Rounded decimals such as [0.7, 0.2, 0.1] do not add up to exactly 1 in binary.
    if (Math.abs(sum - 1.0) > 1e-6) {
      node.error("probabilities", "must sum to 1, found " + probabilities + " which sums to " + sum);
    }
    return probabilities;
  }

  @Override
  default JsonNode toYamlNode() {
    return switch (this) {
      case Random r -> Yaml.map("type", "random", "probabilities", r.probabilities);
      case Fixed f -> Yaml.map("type", "fixed", "column", f.column);
      case Stratify s -> Yaml.map("type", "stratify", "column", s.column, "probabilities", s.probabilities);
      case Datetime d -> Yaml.map("type", "datetime", "column", d.column, "probabilities", d.probabilities);
      case Hash h -> Yaml.map("type", "hash", "column", h.column, "probabilities", h.probabilities);
    };
  }
}
