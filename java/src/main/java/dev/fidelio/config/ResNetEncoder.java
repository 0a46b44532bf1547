package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Ludwig's torchvision {@code resnet} image encoder.
 *
 * @param modelCacheDir where torchvision checkpoints are looked for first (Ludwig's model_cache_dir);
 *     null: only $TORCH_HOME/hub/checkpoints and ~/.cache/torch/hub/checkpoints
 */
public record ResNetEncoder(int modelVariant, boolean usePretrained, boolean trainable, String modelCacheDir)
        implements Yaml.Rendered {

  static final List<Integer> VARIANTS = List.of(18, 34, 50, 101, 152);

  static ResNetEncoder read(ConfigNode node) {
    String type = node.type("resnet", List.of("resnet"), List.of("stacked_cnn", "mlp_mixer", "vit",
            "alexnet", "convnext", "densenet", "efficientnet", "googlenet", "inceptionv3", "mobilenetv2",
            "mobilenetv3", "regnet", "resnext", "shufflenet_v2", "squeezenet", "swin_transformer", "vgg",
            "wide_resnet"));
    int variant = node.integer("model_variant", 50, Integer.MIN_VALUE, Integer.MAX_VALUE);
    if (!VARIANTS.contains(variant)) {
      node.error("model_variant", "expected one of " + VARIANTS + ", found " + variant);
    }
    var encoder = new ResNetEncoder(variant, node.bool("use_pretrained", true), node.bool("trainable", true),
            node.string("model_cache_dir", null));
    if (type == null) return null;
    node.rejectUnknownKeys();
    return encoder;
  }

  @Override
  public JsonNode toYamlNode() {
    return Yaml.map("type", "resnet", "model_variant", modelVariant, "use_pretrained", usePretrained,
            "trainable", trainable, "model_cache_dir", modelCacheDir);
  }
}
