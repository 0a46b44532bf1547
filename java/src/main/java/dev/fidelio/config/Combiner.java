package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Merges the encoder outputs into one vector for the decoders. */
public sealed interface Combiner extends Yaml.Rendered {

  /**
   * Concatenates the encoder outputs, then applies {@code fc}.
   *
   * @param residual adds each layer's input to its output where the sizes match
   */
  record Concat(FcStack fc, boolean residual, boolean flattenInputs) implements Combiner {}

  static Combiner read(ConfigNode node) {
    String type = node.type("concat", List.of("concat"), List.of("sequence_concat", "sequence", "tabnet",
            "comparator", "transformer", "tabtransformer", "project_aggregate"));
    var concat = new Concat(FcStack.read(node, ""), node.bool("residual", false),
            node.bool("flatten_inputs", false));
    if (type == null) return null;
    node.rejectUnknownKeys();
    return concat;
  }

  @Override
  default JsonNode toYamlNode() {
    return switch (this) {
      case Concat c -> {
        ObjectNode out = Yaml.map("type", "concat");
        c.fc.render(out);
        out.put("residual", c.residual).put("flatten_inputs", c.flattenInputs);
        yield out;
      }
    };
  }
}
