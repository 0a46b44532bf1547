package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Where training runs. Fidelio runs in this process only; Ludwig's distributed backends are rejected by name. */
public sealed interface Backend extends Yaml.Rendered {

    record Local() implements Backend {}

    static Backend read(ConfigNode node) {
        String type = node.type("local", List.of("local"), List.of("ray", "horovod", "deepspeed", "dask"));
        if (type == null) return null;
        node.rejectUnknownKeys();
        return new Local();
    }

    @Override
    default JsonNode toYamlNode() {
        return switch (this) {
            case Local l -> Yaml.map("type", "local");
        };
    }
}
