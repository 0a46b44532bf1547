package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One of Ludwig 0.10's torchvision image encoders (ludwig/schema/encoders/image/torchvision.py):
 * the type names the family, model_variant the member, each with Ludwig's default.
 *
 * @param type alexnet, convnext, densenet, ..., wide_resnet
 * @param modelVariant Ludwig's spelling as text ("50", "16_bn", "b0"); YAML integers read as their text
 * @param modelCacheDir where torchvision checkpoints are looked for first (Ludwig's model_cache_dir);
 *     null: only $TORCH_HOME/hub/checkpoints and ~/.cache/torch/hub/checkpoints
 */
public record TorchvisionEncoder(String type, String modelVariant, boolean usePretrained, boolean trainable,
                                 String modelCacheDir) implements Yaml.Rendered {

  /** Ludwig's model_variant options per type, the default first where Ludwig's default is the first option. */
  public record Variants(String defaultVariant, List<String> options) {}

  /** Every torchvision type of Ludwig 0.10, with its model_variant options and default, in Ludwig's order. */
  public static final Map<String, Variants> TYPES = types();

  /** Ludwig image encoders that are not torchvision's and Fidelio does not implement. */
  static final List<String> NOT_YET_SUPPORTED = List.of("stacked_cnn", "mlp_mixer", "_resnet_legacy", "_vit_legacy");

  private static Map<String, Variants> types() {
    Map<String, Variants> t = new LinkedHashMap<>();
    t.put("alexnet", new Variants("base", List.of("base")));
    t.put("convnext", new Variants("base", List.of("tiny", "small", "base", "large")));
    t.put("densenet", new Variants("121", List.of("121", "161", "169", "201")));
    t.put("efficientnet", new Variants("b0", List.of("b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7", "v2_s", "v2_m",
        "v2_l")));
    t.put("googlenet", new Variants("base", List.of("base")));
    t.put("inceptionv3", new Variants("base", List.of("base")));
    t.put("maxvit", new Variants("t", List.of("t")));
    t.put("mnasnet", new Variants("0_5", List.of("0_5", "0_75", "1_0", "1_3")));
    t.put("mobilenetv2", new Variants("base", List.of("base")));
    t.put("mobilenetv3", new Variants("small", List.of("small", "large")));
    t.put("regnet", new Variants("x_1_6gf", List.of("x_1_6gf", "x_16gf", "x_32gf", "x_3_2gf", "x_400mf", "x_800mf",
        "x_8gf", "y_128gf", "y_16gf", "y_1_6gf", "y_32gf", "y_3_2gf", "y_400mf", "y_800mf", "y_8gf")));
    t.put("resnet", new Variants("50", List.of("18", "34", "50", "101", "152")));
    t.put("resnext", new Variants("50_32x4d", List.of("50_32x4d", "101_32x8d", "101_64x4d")));
    t.put("shufflenet_v2", new Variants("x0_5", List.of("x0_5", "x1_0", "x1_5", "x2_0")));
    t.put("squeezenet", new Variants("1_0", List.of("1_0", "1_1")));
    t.put("swin_transformer", new Variants("t", List.of("t", "s", "b")));
    t.put("vgg", new Variants("11", List.of("11", "11_bn", "13", "13_bn", "16", "16_bn", "19", "19_bn")));
    t.put("vit", new Variants("b_16", List.of("b_16", "b_32", "l_16", "l_32", "h_14")));
    t.put("wide_resnet", new Variants("50_2", List.of("50_2", "101_2")));
    return java.util.Collections.unmodifiableMap(t);
  }

  static TorchvisionEncoder read(ConfigNode node) {
    String type = node.type("resnet", List.copyOf(TYPES.keySet()), NOT_YET_SUPPORTED);
    Variants variants = type == null ? null : TYPES.get(type);
    String variant = node.stringOrInteger("model_variant", variants == null ? null : variants.defaultVariant());
    if (variants != null && !variants.options().contains(variant)) {
      // YAML 1.1 (Ludwig's PyYAML and Fidelio's reader alike) reads 1_0 as the integer 10 and 0_5 as octal 5.
      boolean underscored = variant.chars().allMatch(Character::isDigit)
          && variants.options().stream().anyMatch(o -> o.contains("_"));
      node.error("model_variant", "expected one of " + variants.options() + " for " + type + ", found " + variant
          + (underscored ? " (YAML reads an unquoted 1_0 as the number 10: quote the variant, e.g. \""
              + variants.defaultVariant() + "\")" : ""));
    }
    var encoder = new TorchvisionEncoder(type, variant, node.bool("use_pretrained", true), node.bool("trainable", true),
        node.string("model_cache_dir", null));
    if (type == null) return null;
    node.rejectUnknownKeys();
    return encoder;
  }

  @Override
  public JsonNode toYamlNode() {
    // Ludwig's integer options (resnet, densenet, vgg without _bn) render as integers, as Ludwig writes them.
    Object variant = modelVariant.chars().allMatch(Character::isDigit) ? (Object) Integer.valueOf(modelVariant)
        : modelVariant;
    return Yaml.map("type", type, "model_variant", variant, "use_pretrained", usePretrained, "trainable", trainable,
        "model_cache_dir", modelCacheDir);
  }
}
