package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Preprocessing of a number column, as input or output. Outputs default to dropping rows with a
 * missing target (a filled-in label would teach the model a made-up answer).
 *
 * @param normalization null means the raw value
 */
public record NumberPreprocessing(Normalization normalization, MissingValueStrategy missingValueStrategy,
                                  double fillValue) implements Yaml.Rendered {

    public enum Normalization implements ConfigEnum { ZSCORE, MINMAX, LOG1P, IQ }

    static final List<MissingValueStrategy> STRATEGIES = List.of(MissingValueStrategy.FILL_WITH_CONST,
            MissingValueStrategy.FILL_WITH_MODE, MissingValueStrategy.FILL_WITH_MEAN, MissingValueStrategy.BFILL,
            MissingValueStrategy.FFILL, MissingValueStrategy.DROP_ROW);

    static NumberPreprocessing read(ConfigNode node, MissingValueStrategy defaultStrategy) {
        var preprocessing = new NumberPreprocessing(
                node.nullableChoice("normalization", Normalization.class, Normalization.ZSCORE),
                node.choice("missing_value_strategy", STRATEGIES, defaultStrategy),
                node.decimal("fill_value", 0.0, -Double.MAX_VALUE, Double.MAX_VALUE));
        node.rejectUnknownKeys();
        return preprocessing;
    }

    @Override
    public JsonNode toYamlNode() {
        return Yaml.map("normalization", normalization, "missing_value_strategy", missingValueStrategy,
                "fill_value", fillValue);
    }
}
