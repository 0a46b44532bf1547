package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Dataset-wide preprocessing (Ludwig's top-level {@code preprocessing}).
 *
 * @param sampleRatio fraction of rows kept, for quick experiments
 * @param sampleSize exact number of rows kept; null keeps all (after sample_ratio)
 * @param oversampleMinority target minority/majority ratio for a binary output; null disables
 */
public record Preprocessing(Split split, double sampleRatio, Integer sampleSize, Double oversampleMinority,
                            Double undersampleMajority) implements Yaml.Rendered {

    static Preprocessing read(ConfigNode node) {
        var preprocessing = new Preprocessing(
                Split.read(node.section("split")),
                node.decimal("sample_ratio", 1.0, Double.MIN_VALUE, 1.0),
                node.optionalInteger("sample_size", null, 1, Integer.MAX_VALUE),
                node.optionalDecimal("oversample_minority", null, Double.MIN_VALUE, 1.0),
                node.optionalDecimal("undersample_majority", null, Double.MIN_VALUE, 1.0));
        if (preprocessing.oversampleMinority != null && preprocessing.undersampleMajority != null) {
            node.error("oversample_minority", "cannot be combined with undersample_majority; set only one of them");
        }
        node.rejectUnknownKeys();
        return preprocessing;
    }

    @Override
    public JsonNode toYamlNode() {
        return Yaml.map("split", split, "sample_ratio", sampleRatio, "sample_size", sampleSize,
                "oversample_minority", oversampleMinority, "undersample_majority", undersampleMajority);
    }
}
