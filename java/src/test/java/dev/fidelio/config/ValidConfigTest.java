package dev.fidelio.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Valid configs resolve to Ludwig's defaults and survive render -> parse unchanged. */
class ValidConfigTest {

  static final String SENTIMENT = """
          ludwig_version: 0.10.4
          input_features:
            - name: review
              type: text
              encoder:
                type: auto_transformer
                pretrained_model_name_or_path: sentence-transformers/all-MiniLM-L6-v2
                trainable: false
              preprocessing:
                cache_encoder_embeddings: true
          output_features:
            - name: sentiment
              type: category
          trainer:
            epochs: 3
            batch_size: 32
            learning_rate: 0.00002
            optimizer:
              type: adamw
              weight_decay: 0.01
            learning_rate_scheduler:
              warmup_fraction: 0.1
              decay: linear
          """;

  /** Touches every feature type and every sealed variant that has keys of its own. */
  static final String EVERYTHING = """
          model_type: ecd
          input_features:
            - {name: title, type: text, column: Title, encoder: {type: bert, reduce_output: mean, max_sequence_length: 64}}
            - {name: price, type: number, encoder: {type: dense, output_size: 16, norm: layer}, preprocessing: {normalization: null}}
            - {name: color, type: category, encoder: {type: onehot}}
            - {name: in_stock, type: binary, preprocessing: {fallback_true_label: "yes", fill_value: false}}
            - {name: photo, type: image, encoder: {type: resnet, model_variant: 18}, preprocessing: {height: 224, width: 224, standardize_image: imagenet1k}}
          output_features:
            - name: label
              type: category
              top_k: 5
              loss: {class_weights: {cat: 1.0, dog: 2.5}}
              decoder: {num_fc_layers: 1, fc_output_size: 64}
            - {name: bought, type: binary, threshold: 0.3, loss: {positive_class_weight: 2.0}}
            - {name: rating, type: number, loss: {type: mean_absolute_error, weight: 0.5}}
          combiner:
            type: concat
            fc_layers: [{output_size: 128}, {output_size: 64, dropout: 0.2}]
            norm: batch
            norm_params: {momentum: 0.1}
            residual: true
          trainer:
            optimizer: {type: sgd, momentum: 0.9, nesterov: true}
            learning_rate: auto
            learning_rate_scheduler: {decay: cosine, eta_min: 0.0001}
            gradient_clipping: {clipglobalnorm: null, clipvalue: 1.0}
            validation_field: label
            validation_metric: accuracy
          preprocessing:
            split: {type: stratify, column: label, probabilities: [0.8, 0.1, 0.1]}
            sample_ratio: 0.5
          backend: {type: local, trainer: {strategy: deepspeed, num_workers: 2}}
          """;

  @Test
  void sentimentConfigResolvesWithLudwigDefaults() {
    FidelioConfig config = FidelioConfig.parse(SENTIMENT);

    var review = assertInstanceOf(TextInputFeature.class, config.inputFeatures().getFirst());
    assertEquals("review", review.column());
    var encoder = assertInstanceOf(TextEncoder.AutoTransformer.class, review.encoder());
    assertEquals("sentence-transformers/all-MiniLM-L6-v2", encoder.pretrainedModelNameOrPath());
    assertFalse(encoder.trainable());
    assertTrue(encoder.usePretrained());
    assertEquals(TextEncoder.ReduceOutput.SUM, encoder.reduceOutput(), "Ludwig's auto_transformer default");
    assertNull(encoder.maxSequenceLength());
    assertEquals(new TextInputFeature.Preprocessing(256, false, MissingValueStrategy.FILL_WITH_CONST, "<UNK>", true),
            review.preprocessing());

    var sentiment = assertInstanceOf(CategoryOutputFeature.class, config.outputFeatures().getFirst());
    assertEquals(3, sentiment.topK());
    assertEquals(new Loss.SoftmaxCrossEntropy(null, 1.0, 0.0, 0.0), sentiment.loss());
    assertEquals(Decoder.Type.CLASSIFIER, sentiment.decoder().type());
    assertEquals(List.of(), sentiment.decoder().fc().layers());
    assertEquals(MissingValueStrategy.DROP_ROW, sentiment.preprocessing().missingValueStrategy());

    var concat = assertInstanceOf(Combiner.Concat.class, config.combiner());
    assertEquals(0, concat.fc().numFcLayers());
    assertEquals(256, concat.fc().defaults().outputSize());
    assertEquals(Activation.RELU, concat.fc().defaults().activation());
    assertEquals(Norm.NONE, concat.fc().defaults().norm(), "norm: null is Norm.NONE");
    assertFalse(concat.residual());

    Trainer trainer = config.trainer();
    assertEquals(3, trainer.epochs());
    assertEquals(AutoOr.of(32), trainer.batchSize());
    assertEquals(AutoOr.of(0.00002), trainer.learningRate());
    assertEquals(new Optimizer.AdamW(List.of(0.9, 0.999), 1e-8, 0.01, false, false), trainer.optimizer());
    var scheduler = trainer.learningRateScheduler();
    assertEquals(0.1, scheduler.warmupFraction());
    assertEquals(LearningRateScheduler.Decay.LINEAR, scheduler.decay());
    assertEquals(5, trainer.earlyStop());
    assertEquals("sentiment", trainer.validationField(), "one output feature: Ludwig validates on it");
    assertEquals("accuracy", trainer.validationMetric(), "a category output's default_validation_metric");
    assertEquals(new GradientClipping(0.5, null, null), trainer.gradientClipping());
    assertEquals(AutoOr.auto(), trainer.gradientAccumulationSteps());
    assertFalse(trainer.useMixedPrecision());
    assertFalse(trainer.compile());

    assertEquals(new Split.Random(List.of(0.7, 0.1, 0.2)), config.preprocessing().split());
    assertEquals(1.0, config.preprocessing().sampleRatio());
    assertEquals(new Backend.Local(), config.backend());
  }

  @Test
  void minimalConfigGetsLudwigDefaultsForEveryFeatureType() {
    FidelioConfig config = FidelioConfig.parse("""
            input_features: [{name: a, type: text}, {name: b, type: number}, {name: c, type: category},
                             {name: d, type: binary}]
            output_features: [{name: y, type: binary}, {name: z, type: number}]
            """);
    var bert = assertInstanceOf(TextEncoder.Pretrained.class, ((TextInputFeature) config.inputFeatures().get(0)).encoder());
    assertEquals("bert-base-uncased", bert.pretrainedModelNameOrPath());
    var number = (NumberInputFeature) config.inputFeatures().get(1);
    assertEquals(new ScalarEncoder.Passthrough(), number.encoder());
    assertEquals(NumberPreprocessing.Normalization.ZSCORE, number.preprocessing().normalization());
    var category = (CategoryInputFeature) config.inputFeatures().get(2);
    assertEquals(new CategoryEncoder.Dense(50, true, 0.0), category.encoder());
    var binary = (BinaryInputFeature) config.inputFeatures().get(3);
    assertEquals(MissingValueStrategy.FILL_WITH_FALSE, binary.preprocessing().missingValueStrategy());

    var y = (BinaryOutputFeature) config.outputFeatures().get(0);
    assertEquals(0.5, y.threshold());
    assertEquals(new Loss.BinaryWeightedCrossEntropy(null, 1.0, 0.0, 0.0), y.loss());
    var z = (NumberOutputFeature) config.outputFeatures().get(1);
    assertEquals(new Loss.MeanSquaredError(1.0), z.loss());
    assertNull(z.preprocessing().normalization(), "Ludwig normalizes number inputs, not targets");
    assertEquals(MissingValueStrategy.DROP_ROW, z.preprocessing().missingValueStrategy());

    Trainer trainer = config.trainer();
    assertEquals(100, trainer.epochs());
    assertEquals(AutoOr.auto(), trainer.batchSize());
    assertEquals(AutoOr.of(0.001), trainer.learningRate());
    assertEquals(new Optimizer.Adam(List.of(0.9, 0.999), 1e-8, 0.0, false, false), trainer.optimizer());
    // Ludwig 0.10's set_validation_parameters: the first output feature and its type's default metric.
    assertEquals("y", trainer.validationField());
    assertEquals("roc_auc", trainer.validationMetric());
  }

  @Test
  void layersInheritTheStacksNormParamsReadWithTheirOwnNorm() {
    FidelioConfig config = FidelioConfig.parse("""
        input_features: [{name: x, type: number}]
        output_features: [{name: y, type: number}]
        combiner:
          norm: batch
          norm_params: {momentum: 0.9}
          fc_layers: [{output_size: 8}, {output_size: 8, norm: ghost}, {output_size: 8, norm_params: {eps: 0.01}}]
        """);
    var layers = ((Combiner.Concat) config.combiner()).fc().layers();
    assertEquals(new NormParams(128, 0.9, 1e-5), layers.get(0).normParams(), "the stack's momentum, batch defaults");
    assertEquals(new NormParams(128, 0.9, 1e-3), layers.get(1).normParams(), "the stack's momentum, ghost defaults");
    assertEquals(new NormParams(128, 0.1, 0.01), layers.get(2).normParams(), "the layer's own params replace the stack's");
  }

  @Test
  void explicitValuesOverrideDefaults() {
    FidelioConfig config = FidelioConfig.parse(EVERYTHING);
    var price = (NumberInputFeature) config.inputFeatures().get(1);
    assertNull(price.preprocessing().normalization(), "explicit null turns normalization off");
    var inStock = (BinaryInputFeature) config.inputFeatures().get(3);
    assertEquals("yes", inStock.preprocessing().fallbackTrueLabel());
    assertEquals(new Backend.Local(Backend.Strategy.DEEPSPEED, 2), config.backend());
    assertEquals("false", inStock.preprocessing().fillValue());
    var label = (CategoryOutputFeature) config.outputFeatures().getFirst();
    var loss = (Loss.SoftmaxCrossEntropy) label.loss();
    assertEquals(new ClassWeights.ByLabel(Map.of("cat", 1.0, "dog", 2.5)), loss.classWeights());
    assertEquals(1, label.decoder().fc().layers().size());
    assertEquals(64, label.decoder().fc().layers().getFirst().outputSize());

    var concat = (Combiner.Concat) config.combiner();
    List<FcLayer> layers = concat.fc().layers();
    assertEquals(2, layers.size());
    assertEquals(0.2, layers.get(1).dropout());
    assertEquals(Norm.BATCH, layers.get(0).norm(), "layers inherit the stack's norm");
    assertEquals(new NormParams(128, 0.1, 1e-5), layers.get(0).normParams(), "momentum 0.1 given, batch norm's defaults");
    assertEquals(new GradientClipping(null, null, 1.0), config.trainer().gradientClipping());
    assertEquals(AutoOr.auto(), config.trainer().learningRate());
    assertEquals(new Split.Stratify("label", List.of(0.8, 0.1, 0.1)), config.preprocessing().split());
  }

  @Test
  void renderedConfigParsesBackEqual() {
    for (String yaml : List.of(SENTIMENT, EVERYTHING)) {
      FidelioConfig config = FidelioConfig.parse(yaml);
      String rendered = config.toYaml();
      assertEquals(config, FidelioConfig.parse(rendered), rendered);
      assertEquals(rendered, FidelioConfig.parse(rendered).toYaml(), "rendering is stable");
    }
  }

  @Test
  void renderedConfigSpellsLudwigKeys() {
    String rendered = FidelioConfig.parse(SENTIMENT).toYaml();
    assertTrue(rendered.contains("model_type: ecd"), rendered);
    assertTrue(rendered.contains("pretrained_model_name_or_path: sentence-transformers/all-MiniLM-L6-v2"), rendered);
    assertTrue(rendered.contains("batch_size: 32"), rendered);
    assertTrue(rendered.contains("gradient_accumulation_steps: auto"), rendered);
    assertFalse(rendered.contains("ludwig_version"), "accepted and ignored, so not rendered");
  }

  @Test
  void loadsFromFile(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("config.yaml"), SENTIMENT);
    assertEquals(FidelioConfig.parse(SENTIMENT), FidelioConfig.load(file));
  }
}
