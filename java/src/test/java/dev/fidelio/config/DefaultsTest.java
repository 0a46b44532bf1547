package dev.fidelio.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Ludwig's top-level {@code defaults:} merged into the features as Ludwig merges them: per type,
 * preprocessing and encoder for inputs, decoder and loss for outputs, the feature's own keys winning,
 * a differently typed section replacing the default whole; visible in the rendered config.
 */
class DefaultsTest {

  /** The guide's "Suggested Configuration" (ludwig-docs user_guide/distributed_training/finetuning.md). */
  static final String GUIDE = """
          input_features: [{name: review, type: text}]
          output_features: [{name: label, type: category}]
          defaults:
            text:
              encoder:
                type: bert
                pretrained_model_name_or_path: answerdotai/ModernBERT-base
                trainable: true
          trainer:
            epochs: 5
            batch_size: auto
            learning_rate: 0.00001
            learning_rate_scheduler:
              warmup_fraction: 0.2
              decay: linear
            optimizer:
              type: adamw
            use_mixed_precision: true
            compile: true
          """;

  @Test
  void theGuidesSuggestedConfigurationParsesWithTheDefaultsOnItsTextFeature() {
    FidelioConfig config = FidelioConfig.parse(GUIDE);
    var text = (TextInputFeature) config.inputFeatures().getFirst();
    assertEquals("bert", assertInstanceOf(TextEncoder.Pretrained.class, text.encoder()).type());
    assertEquals("answerdotai/ModernBERT-base", text.encoder().pretrainedModelNameOrPath());
    assertTrue(text.encoder().trainable());
    String rendered = config.toYaml();
    assertTrue(rendered.contains("pretrained_model_name_or_path: answerdotai/ModernBERT-base"), rendered);
    assertFalse(rendered.contains("defaults"), "the merged features carry the defaults: " + rendered);
    assertEquals(config, FidelioConfig.parse(rendered), "the rendered config parses back equal");
  }

  @Test
  void theFeaturesOwnKeysWinAndNestedMappingsMergeKeyByKey() {
    FidelioConfig config = FidelioConfig.parse("""
            input_features:
              - {name: a, type: text, encoder: {trainable: false}, preprocessing: {max_sequence_length: 32}}
              - {name: b, type: text}
              - {name: n, type: number}
            output_features: [{name: label, type: category, loss: {weight: 2}}]
            defaults:
              text:
                encoder: {type: bert, trainable: true, reduce_output: mean}
                preprocessing: {max_sequence_length: 64, lowercase: false}
              number: {preprocessing: {normalization: minmax}}
              category:
                decoder: {fc_layers: [{output_size: 8}]}
                loss: {weight: 3, class_weights: [1, 2]}
            """);
    var a = (TextInputFeature) config.inputFeatures().get(0);
    var b = (TextInputFeature) config.inputFeatures().get(1);
    assertFalse(a.encoder().trainable(), "the feature's trainable wins");
    assertEquals(TextEncoder.ReduceOutput.MEAN, a.encoder().reduceOutput(), "other encoder keys come from defaults");
    assertEquals(32, a.preprocessing().maxSequenceLength());
    assertFalse(a.preprocessing().lowercase());
    assertTrue(b.encoder().trainable());
    assertEquals(64, b.preprocessing().maxSequenceLength());
    assertEquals(NumberPreprocessing.Normalization.MINMAX,
            ((NumberInputFeature) config.inputFeatures().get(2)).preprocessing().normalization());
    var label = (CategoryOutputFeature) config.outputFeatures().getFirst();
    assertEquals(2.0, label.loss().weight(), "the feature's loss weight wins");
    assertEquals(new ClassWeights.ByIndex(java.util.List.of(1.0, 2.0)),
            ((Loss.SoftmaxCrossEntropy) label.loss()).classWeights());
    assertEquals(8, label.decoder().fc().layers().getFirst().outputSize());
  }

  @Test
  void aDifferentlyTypedSectionReplacesTheDefaultWhole() {
    FidelioConfig config = FidelioConfig.parse("""
            input_features:
              - {name: a, type: text, encoder: {type: auto_transformer, pretrained_model_name_or_path: m}}
            output_features: [{name: label, type: category}]
            defaults: {text: {encoder: {type: bert, trainable: true, reduce_output: mean}}}
            """);
    var encoder = ((TextInputFeature) config.inputFeatures().getFirst()).encoder();
    assertInstanceOf(TextEncoder.AutoTransformer.class, encoder);
    assertFalse(encoder.trainable(), "bert defaults say nothing about an auto_transformer");
    assertEquals(TextEncoder.ReduceOutput.SUM, encoder.reduceOutput(), "Ludwig's auto_transformer default");
  }

  @Test
  void inputSectionsSkipOutputFeaturesAndOutputSectionsSkipInputs() {
    FidelioConfig config = FidelioConfig.parse("""
            input_features: [{name: n, type: number}]
            output_features: [{name: y, type: number}]
            defaults: {number: {preprocessing: {normalization: minmax}, loss: {type: mean_absolute_error}}}
            """);
    assertEquals(NumberPreprocessing.Normalization.MINMAX,
            ((NumberInputFeature) config.inputFeatures().getFirst()).preprocessing().normalization());
    var y = (NumberOutputFeature) config.outputFeatures().getFirst();
    assertEquals(null, y.preprocessing().normalization(), "preprocessing defaults are for input features only");
    assertInstanceOf(Loss.MeanAbsoluteError.class, y.loss());
  }

  @Test
  void problemsInTheDefaultsAreReportedAtTheirDefaultsPath() {
    var e = assertThrows(ConfigException.class, () -> FidelioConfig.parse("""
            input_features: [{name: a, type: text}]
            output_features: [{name: label, type: category}]
            defaults:
              text: {encoder: {trainabel: true}, decoder: {type: classifier}}
              category: {preprocesing: {}}
              sequence: {encoder: {type: rnn}}
              textt: {}
            """));
    assertError(e, "defaults.text.encoder.trainabel", "unknown key", "did you mean 'trainable'?");
    assertError(e, "defaults.text.decoder", "no text output features");
    assertError(e, "defaults.category.preprocesing", "did you mean 'preprocessing'?");
    assertError(e, "defaults.sequence", "does not support yet", "apply to nothing");
    assertError(e, "defaults.textt", "unknown feature type 'textt'");
  }

  @Test
  void aDefaultsValueThatIsNotAMappingIsRefused() {
    var e = assertThrows(ConfigException.class, () -> FidelioConfig.parse("""
            input_features: [{name: a, type: text}]
            output_features: [{name: label, type: category}]
            defaults: [text]
            """));
    assertError(e, "defaults", "expected a mapping of feature types");
  }

  static void assertError(ConfigException e, String path, String... fragments) {
    var match = e.errors().stream().filter(err -> err.path().equals(path)).findFirst();
    assertTrue(match.isPresent(), "no error at " + path + " in " + e.getMessage());
    for (String fragment : fragments) {
      assertTrue(match.get().message().contains(fragment), "'" + fragment + "' missing from " + match.get());
    }
  }
}
