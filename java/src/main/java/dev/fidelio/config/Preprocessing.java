package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Dataset-wide preprocessing (Ludwig's top-level {@code preprocessing}).
 *
 * @param sampleRatio fraction of rows kept, for quick experiments
 * @param sampleSize exact number of rows kept; null keeps all (after sample_ratio)
 * @param oversampleMinority minority rows wanted per majority row in training, for a single binary
 *     output; null (or 0, as in Ludwig) disables
 * @param undersampleMajority minority/majority ratio reached by dropping majority rows; null or 0 disables
 */
public record Preprocessing(Split split, double sampleRatio, Integer sampleSize, Double oversampleMinority,
                            Double undersampleMajority) implements Yaml.Rendered {

  static Preprocessing read(ConfigNode node) {
    var preprocessing = new Preprocessing(
            Split.read(node.section("split")),
            node.decimal("sample_ratio", 1.0, Double.MIN_VALUE, 1.0),
            node.optionalInteger("sample_size", null, 1, Integer.MAX_VALUE),
            node.optionalDecimal("oversample_minority", null, 0.0, Double.MAX_VALUE),
            node.optionalDecimal("undersample_majority", null, 0.0, Double.MAX_VALUE));
    if (balances(preprocessing.oversampleMinority) && balances(preprocessing.undersampleMajority)) {
      node.error("oversample_minority", "cannot be combined with undersample_majority; set only one of them");
    }
    node.rejectUnknownKeys();
    return preprocessing;
  }

  /** Ludwig tests these keys for truth: null and 0 both mean off. */
  static boolean balances(Double ratio) {
    return ratio != null && ratio > 0;
  }

  @Override
  public JsonNode toYamlNode() {
    return Yaml.map("split", split, "sample_ratio", sampleRatio, "sample_size", sampleSize,
            "oversample_minority", oversampleMinority, "undersample_majority", undersampleMajority);
  }
}
