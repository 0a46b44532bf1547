package dev.fidelio.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Ludwig 0.10's torchvision image encoder types: defaults, integer or string variants, errors. */
class TorchvisionEncoderTest {
  private static TorchvisionEncoder encoder(String encoderYaml) {
    FidelioConfig config = FidelioConfig.parse("input_features: [{name: photo, type: image, encoder: " + encoderYaml
        + "}]\noutput_features: [{name: label, type: category}]\n");
    return ((ImageInputFeature) config.inputFeatures().get(0)).encoder();
  }

  @Test
  void everyTypeHasLudwigsDefaultVariant() {
    assertEquals(19, TorchvisionEncoder.TYPES.size());
    for (var type : TorchvisionEncoder.TYPES.entrySet()) {
      TorchvisionEncoder e = encoder("{type: " + type.getKey() + "}");
      assertEquals(type.getValue().defaultVariant(), e.modelVariant(), type.getKey());
      assertTrue(e.usePretrained() && e.trainable() && e.modelCacheDir() == null, e.toString());
    }
    assertEquals("11", encoder("{type: vgg}").modelVariant());
    assertEquals("x_1_6gf", encoder("{type: regnet}").modelVariant());
  }

  @Test
  void variantsReadAsIntegersOrStringsAndRenderAsLudwigWritesThem() {
    assertEquals("16", encoder("{type: vgg, model_variant: 16}").modelVariant());
    assertEquals("16_bn", encoder("{type: vgg, model_variant: 16_bn}").modelVariant());
    assertEquals("121", encoder("{type: densenet, model_variant: 121}").modelVariant());
    assertEquals(16, encoder("{type: vgg, model_variant: 16}").toYamlNode().path("model_variant").asInt());
    assertTrue(encoder("{type: resnext}").toYamlNode().path("model_variant").isTextual());
  }

  @Test
  void wrongVariantsAndTypesNameTheValidOnes() {
    var variant = assertThrows(ConfigException.class, () -> encoder("{type: squeezenet, model_variant: '1_2'}"));
    assertTrue(variant.getMessage().contains("input_features[0].encoder.model_variant")
        && variant.getMessage().contains("[1_0, 1_1]") && variant.getMessage().contains("1_2"), variant.getMessage());
    assertEquals("1_1", encoder("{type: squeezenet, model_variant: '1_1'}").modelVariant());
    var unquoted = assertThrows(ConfigException.class, () -> encoder("{type: squeezenet, model_variant: 1_1}"));
    assertTrue(unquoted.getMessage().contains("found 11") && unquoted.getMessage().contains("quote the variant"),
        unquoted.getMessage());
    var type = assertThrows(ConfigException.class, () -> encoder("{type: stacked_cnn}"));
    assertTrue(type.getMessage().contains("does not support yet") && type.getMessage().contains("wide_resnet"),
        type.getMessage());
  }
}
