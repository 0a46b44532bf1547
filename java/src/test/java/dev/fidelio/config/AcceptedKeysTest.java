package dev.fidelio.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fidelio.runtime.NativeStructs;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The walk over every key the config records accept (every key of the rendered config, for every
 * feature type, encoder, loss, optimizer and split type): each one is either implemented, naming the
 * behavioural test that shows it changing what happens, or refused, and then setting it is an error
 * at its path. A new key that is neither fails this test, so nothing is accepted and ignored.
 */
class AcceptedKeysTest {

  /** Configs whose renders together hold every key (sealed variants each once). */
  private static final List<String> CONFIGS = List.of("""
          input_features:
            - {name: t, type: text, encoder: {type: bert}}
            - {name: a, type: text, encoder: {type: auto_transformer, pretrained_model_name_or_path: m}}
            - {name: n, type: number, encoder: {type: dense}}
            - {name: c, type: category}
            - {name: co, type: category, encoder: {type: onehot}}
            - {name: b, type: binary}
            - {name: i, type: image, encoder: {type: resnet}}
          output_features:
            - {name: oc, type: category}
            - {name: ob, type: binary}
            - {name: num_out, type: number}
          combiner: {fc_layers: [{output_size: 8}]}
          """, """
          input_features: [{name: n, type: number}]
          output_features: [{name: y, type: number, decoder: {fc_layers: [{output_size: 4}]}, loss: {type: huber}}]
          trainer: {optimizer: {type: sgd}}
          preprocessing: {split: {type: stratify, column: n}}
          """, """
          input_features: [{name: n, type: number}]
          output_features: [{name: y, type: number}]
          trainer: {optimizer: {type: adamw}}
          preprocessing: {split: {type: fixed}}
          """, """
          input_features: [{name: n, type: number}]
          output_features: [{name: y, type: number}]
          preprocessing: {split: {type: hash, column: id}}
          """, """
          input_features: [{name: n, type: number}]
          output_features: [{name: y, type: number}]
          preprocessing: {split: {type: datetime, column: day}}
          backend: {trainer: {strategy: ddp}}
          """);

  /** A value that must be refused, with an error at the key's path. */
  record Refused(String path, String yaml) {}

  private static final String IN = "input_features[].", OUT = "output_features[].";

  /** Refused keys: the YAML that sets one (on the first config) and the path the error must name. */
  static final Map<String, Refused> REFUSED = Map.ofEntries(
      // Both refused for category outputs, whose Ludwig loss ignores them; binary outputs implement them
      // (experiment.RobustLambdaTest#robustLambdaTrainsAsTheLossWeightOneMinusLambda, and confidence_penalty in
      // experiment.KeysChangeTrainingTest's walk and native ludwig_losses_test.cpp#binary_confidence_penalty).
      Map.entry(OUT + "loss.robust_lambda", new Refused("output_features[0].loss.robust_lambda",
              "output_features: [{name: oc, type: category, loss: {robust_lambda: 0.1}}]")),
      Map.entry(OUT + "loss.confidence_penalty", new Refused("output_features[0].loss.confidence_penalty",
              "output_features: [{name: oc, type: category, loss: {confidence_penalty: 0.1}}]")),
      // Refused with nothing to flatten; with a text input's reduce_output none it flattens the sequence
      // (export.HfFamilyExperimentTest#learnedAndFlatReductionsExportAsPredicted, electra none).
      Map.entry("combiner.flatten_inputs", new Refused("combiner.flatten_inputs",
              "combiner: {flatten_inputs: true}")),
      Map.entry("trainer.optimizer.amsgrad", new Refused("trainer.optimizer.amsgrad",
              "trainer: {optimizer: {type: adam, amsgrad: true}}")),
      Map.entry("trainer.learning_rate_scheduler.t_0", new Refused("trainer.learning_rate_scheduler.t_0",
              "trainer: {learning_rate_scheduler: {decay: cosine, t_0: 10}}")),
      Map.entry(OUT + "preprocessing.missing_value_strategy", new Refused(
              "output_features[0].preprocessing.missing_value_strategy",
              "output_features: [{name: oc, type: category, preprocessing: {missing_value_strategy: fill_with_const}}]")),
      Map.entry(OUT + "preprocessing.lowercase", new Refused("output_features[0].preprocessing.lowercase",
              "output_features: [{name: oc, type: category, preprocessing: {lowercase: true}}]")),
      Map.entry(OUT + "preprocessing.outlier_strategy", new Refused("output_features[0].preprocessing.outlier_strategy",
              "output_features: [{name: y, type: number, preprocessing: {outlier_strategy: fill_with_mean}}]")),
      Map.entry("trainer.learning_rate_scheduler.t_mult", new Refused("trainer.learning_rate_scheduler.t_0",
              "trainer: {learning_rate_scheduler: {decay: cosine, t_mult: 2}}")));

  /** Keys that only tune a refused key: they change nothing until it is allowed. */
  static final Map<String, String> TUNING_A_REFUSED_KEY = Map.of(
          OUT + "preprocessing.fill_value", OUT + "preprocessing.missing_value_strategy",
          OUT + "preprocessing.outlier_threshold", OUT + "preprocessing.outlier_strategy");

  /**
   * Implemented keys and their evidence, comma-separated: {@code test:<class>#<method>} a Java test
   * under dev.fidelio that shows the key at work, {@code native:<file>#<function>} a native test, or,
   * where no test isolates the key yet, {@code reads:<file under java/src/main/java/dev/fidelio>:<code>}
   * the place outside the config package that acts on it (so at least it is never dropped).
   */
  static final Map<String, String> IMPLEMENTED = new TreeMap<>();

  /** Keys that say what is built rather than tune it: a feature's name, type and column, section types. */
  static final List<String> STRUCTURAL = List.of("model_type", IN + "name", IN + "type", IN + "column", OUT + "name",
          OUT + "type", OUT + "column", "combiner.type", "trainer.type", "backend.type", IN + "encoder.type",
          OUT + "decoder.type", OUT + "loss.type", "trainer.optimizer.type", "preprocessing.split.type");

  private static final String TAB = "test:experiment.TabularExperimentTest#multiTaskModelLearnsBothOutputsWithWeightedLosses",
          MPG = "test:experiment.TabularExperimentTest#autoMpgExampleLearnsAndItsSavedModelReproducesTheMetrics",
          PREP = "test:features.TabularPreprocessingTest#",
          IMGP = "test:features.ImagePreprocessingTest#",
          DEC = "test:train.DecoderLayersTest#outputsDecodeThroughTheirOwnLayers",
          E2E = "test:experiment.ExperimentEndToEndTest#trainsEvaluatesAndPredictsFromRawText",
          PLAN = "test:train.TrainingPlanTest#",
          LR = "test:train.LearningRateScheduleTest#",
          OPT = "native:optimizers_test.cpp#",
          NORM = "native:ecd_modules_test.cpp#",
          FC_KEYS = "test:experiment.KeysChangeTrainingTest#everyLayerOptionIsAmongTheChanges";

  static {
    for (String fc : List.of("combiner.", "combiner.fc_layers[].", OUT + "decoder.fc_layers[].", OUT + "decoder.fc_")) {
      IMPLEMENTED.put(fc + "output_size", DEC);
      IMPLEMENTED.put(fc + "activation", DEC);
      IMPLEMENTED.put(fc + "norm", NORM + "batch_norm_training_and_evaluation, " + NORM + "layer_norm_training_and_evaluation");
      IMPLEMENTED.put(fc + "norm_params", NORM + "ghost_norm_training_and_evaluation");
      IMPLEMENTED.put(fc + "use_bias", DEC);
      // Every other layer option crosses as its fdl_fc_layer field; KeysChangeTrainingTest changes each one.
      for (var option : FcLayer.class.getRecordComponents()) {
        IMPLEMENTED.putIfAbsent(fc + NativeStructs.snakeCase(option.getName()), FC_KEYS);
      }
    }
    IMPLEMENTED.remove(OUT + "decoder.fc_norm");
    IMPLEMENTED.put(OUT + "decoder.fc_norm", NORM + "batch_norm_training_and_evaluation");
    IMPLEMENTED.put("combiner.fc_layers", DEC);
    IMPLEMENTED.put("combiner.num_fc_layers", DEC);
    IMPLEMENTED.put("combiner.residual", NORM + "residual_stack_adds_where_sizes_match, " + TAB);
    IMPLEMENTED.put(OUT + "decoder.fc_layers", DEC);
    IMPLEMENTED.put(OUT + "decoder.num_fc_layers", DEC);
    // input features
    IMPLEMENTED.put(IN + "encoder.activation", "reads:model/ModelFactory.java:activation()");
    IMPLEMENTED.put(IN + "encoder.dropout", "reads:model/ModelFactory.java:dropout()");
    IMPLEMENTED.put(IN + "encoder.norm", "reads:model/ModelFactory.java:norm()");
    IMPLEMENTED.put(IN + "encoder.num_layers", "reads:model/ModelFactory.java:numLayers()");
    IMPLEMENTED.put(IN + "encoder.output_size", "reads:model/ModelFactory.java:outputSize()");
    IMPLEMENTED.put(IN + "encoder.embedding_size", "reads:model/ModelFactory.java:embeddingSize()");
    IMPLEMENTED.put(IN + "encoder.embeddings_trainable", "reads:model/ModelFactory.java:embeddingsTrainable()");
    IMPLEMENTED.put(IN + "encoder.max_sequence_length", "reads:experiment/TextEncoders.java:encoder().maxSequenceLength()");
    IMPLEMENTED.put(IN + "encoder.model_cache_dir", "reads:experiment/ImageEncoders.java:modelCacheDir()");
    IMPLEMENTED.put(IN + "encoder.model_variant", "test:model.ImageEncoderParityTest#featuresAndGradientsMatchTorchvision");
    IMPLEMENTED.put(IN + "encoder.pretrained_model_name_or_path", "test:weights.PretrainedLocatorTest#"
            + "localFolderWithBertForStarCheckpoint");
    IMPLEMENTED.put(IN + "encoder.reduce_output", "reads:config/FidelioConfig.java:reduceOutput()");
    IMPLEMENTED.put(IN + "encoder.trainable", "test:experiment.ImageExampleTest#trainableResNetFromScratchReachesNinetyPercent, "
            + "test:experiment.CachedEmbeddingParityTest#cachedAndUncachedFrozenRunsAgree");
    IMPLEMENTED.put(IN + "encoder.use_pretrained", "reads:model/ModelFactory.java:usePretrained()");
    IMPLEMENTED.put(IN + "preprocessing.cache_encoder_embeddings", "test:experiment.CachedEmbeddingParityTest#"
            + "cachedAndUncachedFrozenRunsAgree");
    IMPLEMENTED.put(IN + "preprocessing.fallback_true_label", "test:features.LabelFittingTest#"
            + "binaryWithTwoOtherValuesUsesFallbackOrSecond");
    IMPLEMENTED.put(IN + "preprocessing.fill_value", PREP + "missingValuesFollowTheStrategy");
    IMPLEMENTED.put(IN + "preprocessing.missing_value_strategy", PREP + "missingValuesFollowTheStrategy, "
            + IMGP + "dropRowDropsUnreadableAndEmptyCells");
    IMPLEMENTED.put(IN + "preprocessing.normalization", PREP + "everyNormalizationMatchesItsFormula");
    IMPLEMENTED.put(IN + "preprocessing.outlier_strategy", PREP + "outliersBeyondTheThresholdAreReplacedAsTheStrategySays");
    IMPLEMENTED.put(IN + "preprocessing.outlier_threshold", PREP + "outliersBeyondTheThresholdAreReplacedAsTheStrategySays");
    IMPLEMENTED.put(IN + "preprocessing.most_common", "reads:features/TabularInputs.java:mostCommon()");
    IMPLEMENTED.put(IN + "preprocessing.lowercase", "test:features.TextLowercaseTest#lowercaseReachesTheTokenizer");
    IMPLEMENTED.put(IN + "preprocessing.max_sequence_length", "test:text.TextTokenizerTest#truncationKeepsSepLast");
    for (String image : List.of("height", "width", "infer_image_dimensions", "infer_image_max_height",
            "infer_image_max_width", "infer_image_sample_size")) {
      IMPLEMENTED.put(IN + "preprocessing." + image, IMGP + "infersSizeFromTrainingImagesAndResolvesPathsFromTheDatasetFolder");
    }
    for (String image : List.of("num_channels", "infer_image_num_channels", "resize_method")) {
      IMPLEMENTED.put(IN + "preprocessing." + image, IMGP
              + "channelsComeFromTheSampleMajorityOrTheFirstImageAndResizeDefaultsToInterpolate");
    }
    IMPLEMENTED.put(IN + "preprocessing.standardize_image", "reads:features/ImagePreprocessing.java:standardizeImage()");
    // output features
    IMPLEMENTED.put(OUT + "loss.weight", TAB);
    IMPLEMENTED.put(OUT + "loss.class_weights", "reads:model/ModelFactory.java:classWeights()");
    IMPLEMENTED.put(OUT + "loss.positive_class_weight", "reads:model/ModelFactory.java:positiveClassWeight()");
    IMPLEMENTED.put(OUT + "loss.delta", "test:experiment.KeysChangeTrainingTest#huberDeltaChangesWhatTrainingProduces, "
            + "native:ludwig_losses_test.cpp#number_losses");
    IMPLEMENTED.put(OUT + "calibration", "test:experiment.CalibrationTest#"
            + "calibrationLowersExpectedCalibrationErrorOnHeldOutRows");
    IMPLEMENTED.put(OUT + "threshold", "reads:predict/Predictor.java:b.threshold()");
    IMPLEMENTED.put(OUT + "top_k", "reads:metrics/OutputMetrics.java:topK()");
    IMPLEMENTED.put(OUT + "preprocessing.normalization",
            "test:experiment.TabularExperimentTest#normalizedNumberOutputLearnsOnTheModelScaleAndPredictsInTheUsersUnits");
    IMPLEMENTED.put(OUT + "preprocessing.most_common", "reads:features/Preprocessor.java:mostCommon()");
    IMPLEMENTED.put(OUT + "preprocessing.fallback_true_label", "reads:features/Preprocessor.java:fallbackTrueLabel()");
    // trainer
    IMPLEMENTED.put("trainer.epochs", MPG);
    IMPLEMENTED.put("trainer.train_steps", PLAN + "stepsPerCheckpointIsCappedByTrainSteps");
    IMPLEMENTED.put("trainer.batch_size", PLAN + "effectiveBatchSizeSetsAccumulationAndStepCount, "
            + "test:experiment.AutoBatchSizeExperimentTest#probeTablesGoToDescriptionJson");
    IMPLEMENTED.put("trainer.eval_batch_size", "test:experiment.AutoBatchSizeExperimentTest#probeTablesGoToDescriptionJson");
    IMPLEMENTED.put("trainer.max_batch_size", "test:train.OutOfMemoryTest#probeStopsAtOutOfMemoryAndRestoresTheModel");
    IMPLEMENTED.put("trainer.effective_batch_size", PLAN + "effectiveBatchSizeSetsAccumulationAndStepCount");
    IMPLEMENTED.put("trainer.gradient_accumulation_steps", "test:model.EcdAccumulationTest#twoHalfBatchesEqualOneWholeBatch");
    IMPLEMENTED.put("trainer.learning_rate", PLAN + "learningRateScalingWithWorkers");
    IMPLEMENTED.put("trainer.learning_rate_scaling", PLAN + "learningRateScalingWithWorkers");
    IMPLEMENTED.put("trainer.checkpoints_per_epoch", PLAN + "warmupEvaluationsCountCheckpointIntervals");
    IMPLEMENTED.put("trainer.steps_per_checkpoint", PLAN + "stepsPerCheckpointIsCappedByTrainSteps");
    for (String key : List.of("increase_batch_size_on_plateau", "increase_batch_size_on_plateau_patience",
            "increase_batch_size_on_plateau_rate", "increase_batch_size_eval_metric", "increase_batch_size_eval_split")) {
      IMPLEMENTED.put("trainer." + key, "test:train.BatchSizeIncreaseTest#batchSizeGrowsWhenTheMetricStallsFromTheNextEpoch");
    }
    IMPLEMENTED.put("trainer.eval_steps", "test:train.EvaluationSettingsTest#evalStepsEvaluatesThatManyBatches");
    IMPLEMENTED.put("trainer.early_stop", "reads:train/TrainingLoop.java:earlyStop()");
    IMPLEMENTED.put("trainer.validation_field", "reads:train/TrainingLoop.java:validationField()");
    IMPLEMENTED.put("trainer.validation_metric", "reads:train/TrainingLoop.java:validationMetric()");
    IMPLEMENTED.put("trainer.evaluate_training_set", "test:train.EvaluationSettingsTest#"
            + "evaluateTrainingSetRecordsTheTrainingSplitsMetrics");
    IMPLEMENTED.put("trainer.skip_all_evaluation", "test:train.EvaluationSettingsTest#"
            + "skipAllEvaluationKeepsTheLastModelAndRecordsOnlyTheTrainingLoss");
    IMPLEMENTED.put("trainer.should_shuffle", "reads:train/TrainingLoop.java:shouldShuffle()");
    IMPLEMENTED.put("trainer.use_mixed_precision", "test:model.MixedPrecisionTest#bf16TracksFp32");
    IMPLEMENTED.put("trainer.compile", "test:train.CompileExperimentTest#compileOnTheCpuGivesTheEagerRunsResultsAndSaysWhatItDid");
    IMPLEMENTED.put("trainer.regularization_lambda", "test:experiment.RegularizationTest#l2RegularizationShrinksTheWeights");
    IMPLEMENTED.put("trainer.regularization_type", "test:experiment.RegularizationTest#l2RegularizationShrinksTheWeights, "
            + "test:experiment.RegularizationTest#l1AndL1L2ShrinkTheWeights, "
            + "test:model.RegularizationGradientTest#l1AddsLambdaTimesTheSignOfEachWeightToItsGradient, "
            + "test:model.RegularizationGradientTest#l1L2AddsTheSignAndTwiceTheWeight");
    IMPLEMENTED.put("trainer.layers_to_freeze_regex", "test:model.FreezeLayersTest#"
            + "matchedParametersStayBitForBitWhileTheOthersTrain, test:model.FreezeLayersTest#"
            + "aRegexMatchingNothingFailsNamingTheKeyAndANameItCouldMatch");
    IMPLEMENTED.put("trainer.enable_gradient_checkpointing", "test:model.GradientCheckpointingTest#"
            + "recomputingTheLayersLowersThePeakAndKeepsTheUpdate, "
            + "native:bert_test.cpp#checkpointing_gives_the_same_gradients");
    IMPLEMENTED.put("trainer.gradient_clipping.clipglobalnorm", OPT + "clipping");
    IMPLEMENTED.put("trainer.gradient_clipping.clipnorm", OPT + "clipping");
    IMPLEMENTED.put("trainer.gradient_clipping.clipvalue", OPT + "clipping");
    IMPLEMENTED.put("trainer.optimizer.betas", OPT + "adamw");
    IMPLEMENTED.put("trainer.optimizer.eps", OPT + "adamw");
    IMPLEMENTED.put("trainer.optimizer.weight_decay", OPT + "adamw, " + OPT + "adam_l2");
    IMPLEMENTED.put("trainer.optimizer.exclude_bias_and_norm_from_weight_decay", OPT + "adamw");
    IMPLEMENTED.put("trainer.optimizer.momentum", OPT + "sgd");
    IMPLEMENTED.put("trainer.optimizer.dampening", OPT + "sgd");
    IMPLEMENTED.put("trainer.optimizer.nesterov", OPT + "sgd");
    for (String key : List.of("decay", "decay_rate", "decay_steps", "staircase", "eta_min", "warmup_fraction")) {
      IMPLEMENTED.put("trainer.learning_rate_scheduler." + key, LR + "warmupRisesLinearlyThenLinearDecayReachesZero, "
              + LR + "cosineIsOneCurveToTheMinimum, " + LR + "exponentialStaircaseStepsAtBoundaries");
    }
    IMPLEMENTED.put("trainer.learning_rate_scheduler.warmup_evaluations", PLAN + "warmupEvaluationsCountCheckpointIntervals");
    for (String key : List.of("reduce_on_plateau", "reduce_on_plateau_patience", "reduce_on_plateau_rate")) {
      IMPLEMENTED.put("trainer.learning_rate_scheduler." + key,
              "test:train.PlateauReductionTest#reducesAfterMoreThanPatienceBadEvaluationsAndStopsAtTheCap");
    }
    IMPLEMENTED.put("trainer.learning_rate_scheduler.reduce_eval_metric", PLAN + "reduceEvalMetricMustBeTracked");
    IMPLEMENTED.put("trainer.learning_rate_scheduler.reduce_eval_split", "reads:train/TrainingLoop.java:reduceEvalSplit()");
    // preprocessing and backend
    IMPLEMENTED.put("preprocessing.sample_ratio", "reads:experiment/Sampling.java:sampleRatio()");
    IMPLEMENTED.put("preprocessing.sample_size", "reads:experiment/Sampling.java:sampleSize()");
    IMPLEMENTED.put("preprocessing.oversample_minority", "test:experiment.BalancingTest#oversamplingRepeatsTheMinority");
    IMPLEMENTED.put("preprocessing.undersample_majority", "test:experiment.BalancingTest#undersamplingDropsMajorityRows");
    IMPLEMENTED.put("preprocessing.split.column", "test:data.SplitterTest#hashSplitIsStableUnderRowReorderingAndAddedRows, test:data.SplitterTest#datetimeSplitTrainsOnThePastAndTestsOnTheFuture, "
            + "test:data.SplitterTest#stratifiedSplitKeepsClassProportions");
    IMPLEMENTED.put("preprocessing.split.probabilities", "test:data.SplitterTest#randomSplitIsDeterministicAndProportional");
    IMPLEMENTED.put("backend.trainer.strategy", "test:distributed.DataParallelTrainingTest#"
            + "twoWorkersMatchOneProcessOnTheGlobalBatchForDdpAndZero1");
    IMPLEMENTED.put("backend.trainer.num_workers", "reads:distributed/Workers.java:numWorkers()");
    // Keys whose change the tabular walk shows moving the weights, statistics or predictions.
    String walk = "test:experiment.KeysChangeTrainingTest#everyKeyChangesWhatTrainingProduces";
    for (String key : List.of("preprocessing.sample_ratio", "preprocessing.sample_size",
            "preprocessing.split.probabilities", IN + "preprocessing.most_common", IN + "preprocessing.lowercase",
            IN + "preprocessing.fill_value", IN + "encoder.embedding_size", IN + "encoder.embeddings_trainable",
            IN + "encoder.dropout", IN + "encoder.output_size", IN + "encoder.activation", IN + "encoder.norm",
            IN + "encoder.num_layers", OUT + "top_k", OUT + "threshold", OUT + "loss.class_weights",
            OUT + "loss.positive_class_weight", OUT + "loss.weight", OUT + "decoder.num_fc_layers",
            "combiner.dropout", "combiner.activation", "combiner.use_bias", "combiner.output_size", "combiner.norm",
            "combiner.norm_params", "combiner.residual", "trainer.epochs", "trainer.train_steps",
            "trainer.batch_size", "trainer.learning_rate", "trainer.should_shuffle",
            "trainer.gradient_accumulation_steps", "trainer.evaluate_training_set", "trainer.regularization_lambda",
            "trainer.regularization_type", "trainer.layers_to_freeze_regex",
            "trainer.use_mixed_precision", "trainer.eval_steps", "trainer.gradient_clipping.clipglobalnorm",
            "trainer.gradient_clipping.clipnorm", "trainer.gradient_clipping.clipvalue", "trainer.optimizer.betas",
            "trainer.optimizer.eps", "trainer.optimizer.weight_decay", "trainer.optimizer.momentum",
            "trainer.learning_rate_scheduler.decay", "trainer.learning_rate_scheduler.warmup_fraction",
            "trainer.learning_rate_scheduler.decay_rate")) {
      IMPLEMENTED.merge(key, walk, (given, behaviour) -> given.startsWith("reads:") ? behaviour : given + ", " + behaviour);
    }
    IMPLEMENTED.put("trainer.learning_rate_scheduler.reduce_on_plateau",
            "test:experiment.KeysChangeTrainingTest#reduceOnPlateauChangesWhatTrainingProduces, "
                    + IMPLEMENTED.get("trainer.learning_rate_scheduler.reduce_on_plateau"));
    STRUCTURAL.forEach(key -> IMPLEMENTED.put(key, "structural"));
  }

  @Test
  void everyAcceptedKeyIsImplementedOrRefused() {
    var keys = new TreeSet<String>();
    for (String config : CONFIGS) walk(Yaml.MAPPER.valueToTree(FidelioConfig.parse(config).toYamlNode()), "", keys);
    List<String> unclassified = new ArrayList<>();
    for (String key : keys) {
      if (!IMPLEMENTED.containsKey(key) && !REFUSED.containsKey(key) && !TUNING_A_REFUSED_KEY.containsKey(key)) {
        unclassified.add(key);
      }
    }
    assertTrue(unclassified.isEmpty(), "keys accepted but neither implemented nor refused:\n"
            + String.join("\n", unclassified));
    var stale = new TreeSet<>(IMPLEMENTED.keySet());
    stale.addAll(REFUSED.keySet());
    stale.addAll(TUNING_A_REFUSED_KEY.keySet());
    stale.removeAll(keys);
    assertTrue(stale.isEmpty(), "classified keys that no config accepts any more: " + stale);
  }

  @Test
  void everyRefusedKeyIsAnErrorAtItsPath() {
    for (var entry : REFUSED.entrySet()) {
      ObjectNode config = (ObjectNode) Yaml.MAPPER.valueToTree(Yaml.MAPPER.convertValue(
              readTree(CONFIGS.getFirst()), Object.class));
      readTree(entry.getValue().yaml()).properties().forEach(e -> config.set(e.getKey(), e.getValue()));
      try {
        FidelioConfig.parse(Yaml.MAPPER.writeValueAsString(config));
        throw new AssertionError(entry.getKey() + ": " + entry.getValue().yaml() + " was accepted");
      } catch (ConfigException e) {
        assertTrue(e.errors().stream().anyMatch(err -> err.path().equals(entry.getValue().path())),
                entry.getKey() + ": no error at " + entry.getValue().path() + " in " + e.getMessage());
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void everyImplementedKeyNamesEvidenceThatExists() throws IOException {
    Path root = Path.of(System.getProperty("fidelio.root", ".."));
    List<String> missing = new ArrayList<>();
    for (var entry : IMPLEMENTED.entrySet()) {
      if (entry.getValue().equals("structural")) continue;
      for (String evidence : entry.getValue().split(", ")) {
        String kind = evidence.substring(0, evidence.indexOf(':'));
        String what = evidence.substring(kind.length() + 1);
        boolean found = switch (kind) {
          case "test" -> testExists(what);
          case "native" -> Files.readString(root.resolve("native/tests/" + what.split("#")[0]))
                  .contains("void " + what.split("#")[1] + "(");
          case "reads" -> Files.readString(root.resolve("java/src/main/java/dev/fidelio/"
                  + what.substring(0, what.indexOf(':')))).contains(what.substring(what.indexOf(':') + 1));
          default -> false;
        };
        if (!found) missing.add(entry.getKey() + " -> " + evidence);
      }
    }
    assertTrue(missing.isEmpty(), "evidence that does not exist:\n" + String.join("\n", missing));
  }

  /** The test method, by name, in the test classes compiled beside this one. */
  private static boolean testExists(String classAndMethod) {
    String[] parts = classAndMethod.split("#");
    try {
      Class<?> test = Class.forName("dev.fidelio." + parts[0]);
      return Arrays.stream(test.getDeclaredMethods()).map(Method::getName).anyMatch(parts[1]::equals);
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static JsonNode readTree(String yaml) {
    try {
      return Yaml.MAPPER.readTree(yaml);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  /** Leaf keys, with feature list indices dropped ({@code input_features[].encoder.trainable}). */
  private static void walk(JsonNode node, String path, TreeSet<String> keys) {
    if (node.isObject()) {
      for (var e : node.properties()) {
        JsonNode child = e.getValue();
        String at = path + e.getKey();
        boolean featureList = at.equals("input_features") || at.equals("output_features")
                || at.endsWith("fc_layers");
        if (featureList && child.isArray()) {
          for (JsonNode item : child) walk(item, at + "[].", keys);
        } else if (child.isObject() && !at.endsWith("norm_params")) {
          walk(child, at + ".", keys);
        } else {
          keys.add(at);
        }
      }
    }
  }
}
