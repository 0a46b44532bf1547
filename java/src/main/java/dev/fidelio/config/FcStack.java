package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A stack of fully connected layers, shared by the concat combiner and the output decoders. As in
 * Ludwig, an explicit {@code fc_layers} list wins over {@code num_fc_layers} copies of the defaults.
 * Decoders spell the per-layer keys with an {@code fc_} prefix ({@code fc_output_size}); the
 * combiner without ({@code output_size}); {@code prefix} carries that difference.
 *
 * @param fcLayers the user's explicit layers with defaults filled, or null when not given
 */
public record FcStack(List<FcLayer> fcLayers, int numFcLayers, FcLayer defaults, String prefix) {

  static final int DEFAULT_OUTPUT_SIZE = 256;

  /** The layers the model builds, in order. */
  public List<FcLayer> layers() {
    return fcLayers != null ? fcLayers : Collections.nCopies(numFcLayers, defaults);
  }

  static FcStack read(ConfigNode node, String prefix) {
    FcLayer defaults = FcLayer.read(node, prefix, FcLayer.defaults(DEFAULT_OUTPUT_SIZE), null);
    Map<String, Object> stackParams = node.parameters(prefix + "norm_params");
    List<ConfigNode> layerNodes = node.sectionList("fc_layers");
    List<FcLayer> layers = node.has("fc_layers")
            ? layerNodes.stream().map(layer -> {
          FcLayer read = FcLayer.read(layer, "", defaults, stackParams);
          layer.rejectUnknownKeys();
          return read;
        }).toList()
        : null;
    int numLayers = node.integer("num_fc_layers", 0, 0, Integer.MAX_VALUE);
    return new FcStack(layers, numLayers, defaults, prefix);
  }

  /** Adds this stack's keys to a section being rendered. */
  void render(ObjectNode out) {
    out.set("fc_layers", Yaml.value(fcLayers));
    out.put("num_fc_layers", numFcLayers);
    JsonNode layer = defaults.toYamlNode();
    layer.properties().forEach(e -> out.set(prefix + e.getKey(), e.getValue()));
  }
}
