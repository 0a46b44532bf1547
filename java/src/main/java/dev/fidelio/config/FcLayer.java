package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** One fully connected layer of an {@link FcStack}; keys it omits inherit the stack's values. */
public record FcLayer(int outputSize, Activation activation, double dropout, Norm norm,
                      Map<String, Object> normParams, boolean useBias) implements Yaml.Rendered {

    static FcLayer read(ConfigNode node, FcLayer inherited) {
        var layer = new FcLayer(
                node.integer("output_size", inherited.outputSize, 1, Integer.MAX_VALUE),
                node.choice("activation", Activation.class, inherited.activation),
                node.decimal("dropout", inherited.dropout, 0.0, 1.0),
                node.has("norm") ? node.choice("norm", Norm.class, null) : inherited.norm,
                node.has("norm_params") ? node.parameters("norm_params") : inherited.normParams,
                node.bool("use_bias", inherited.useBias));
        // Absent or null norm keys inherit the stack's; they are still keys this layer knows.
        node.ignore("norm");
        node.ignore("norm_params");
        node.rejectUnknownKeys();
        return layer;
    }

    @Override
    public JsonNode toYamlNode() {
        return Yaml.map("output_size", outputSize, "activation", activation, "dropout", dropout,
                "norm", norm, "norm_params", normParams, "use_bias", useBias);
    }
}
