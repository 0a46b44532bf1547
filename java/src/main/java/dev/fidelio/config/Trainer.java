package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to train, with Ludwig's ECD trainer keys and defaults.
 *
 * @param earlyStop evaluations without improvement before stopping; -1 never stops early
 * @param evalBatchSize null means the training batch size
 * @param validationField the output feature (or "combined") whose metric picks the best model;
 *     Ludwig resolves an absent value to the first output feature (or the one reporting validation_metric)
 * @param checkpointsPerEpoch 0 means one evaluation per epoch (unless steps_per_checkpoint is set)
 * @param evalSteps batches of each split an evaluation during training runs; null runs them all
 * @param layersToFreezeRegex parameters whose names match stay as loaded; null trains all trainable ones
 * @param increaseBatchSizeOnPlateau how many times the batch size may grow when the watched metric stalls
 */
public record Trainer(int epochs, Integer trainSteps, AutoOr<Integer> batchSize, AutoOr<Integer> evalBatchSize,
                      AutoOr<Double> learningRate, LearningRateScaling learningRateScaling, Optimizer optimizer,
                      LearningRateScheduler learningRateScheduler, int earlyStop, String validationField,
                      String validationMetric, GradientClipping gradientClipping,
                      int maxBatchSize, AutoOr<Integer> gradientAccumulationSteps, AutoOr<Integer> effectiveBatchSize,
                      boolean useMixedPrecision, boolean compile,
                      int checkpointsPerEpoch, int stepsPerCheckpoint, boolean evaluateTrainingSet,
                      boolean shouldShuffle, RegularizationType regularizationType, double regularizationLambda,
                      boolean enableGradientCheckpointing, boolean skipAllEvaluation, Integer evalSteps,
                      String layersToFreezeRegex, int increaseBatchSizeOnPlateau,
                      int increaseBatchSizeOnPlateauPatience, double increaseBatchSizeOnPlateauRate,
                      String increaseBatchSizeEvalMetric, String increaseBatchSizeEvalSplit) implements Yaml.Rendered {

  /** How the learning rate grows with data-parallel workers (a no-op on one device). */
  public enum LearningRateScaling implements ConfigEnum { LINEAR, SQRT, CONSTANT }

  public enum RegularizationType implements ConfigEnum { L1, L2, L1_L2 }

  static Trainer read(ConfigNode node, List<OutputFeature> outputs) {
    node.type("trainer", List.of("trainer"), List.of("finetune", "lightgbm_trainer", "none"));
    int epochs = node.integer("epochs", 100, 1, Integer.MAX_VALUE);
    Integer trainSteps = node.optionalInteger("train_steps", null, 1, Integer.MAX_VALUE);
    AutoOr<Integer> batchSize = node.autoOrInteger("batch_size", AutoOr.auto(), 1, Integer.MAX_VALUE);
    AutoOr<Integer> evalBatchSize = node.autoOrInteger("eval_batch_size", null, 1, Integer.MAX_VALUE);
    AutoOr<Double> learningRate = node.autoOrDecimal("learning_rate", AutoOr.of(0.001), Double.MIN_VALUE, Double.MAX_VALUE);
    var scaling = node.choice("learning_rate_scaling", LearningRateScaling.class, LearningRateScaling.LINEAR);
    Optimizer optimizer = Optimizer.read(node.section("optimizer"));
    var scheduler = LearningRateScheduler.read(node.section("learning_rate_scheduler"));
    int earlyStop = node.integer("early_stop", 5, -1, Integer.MAX_VALUE);
    String validationField = validationField(node, outputs);
    String validationMetric = validationMetric(node, outputs, validationField);
    var clipping = GradientClipping.read(node.section("gradient_clipping"));
    AutoOr<Integer> accumulation = node.autoOrInteger("gradient_accumulation_steps", AutoOr.auto(), 1,
            Integer.MAX_VALUE);
    AutoOr<Integer> effectiveBatchSize = node.autoOrInteger("effective_batch_size", AutoOr.auto(), 1,
            Integer.MAX_VALUE);
    if (accumulation instanceof AutoOr.Value<Integer> a && effectiveBatchSize instanceof AutoOr.Value<Integer> e
            && batchSize instanceof AutoOr.Value<Integer> b && (long) a.value() * b.value() != e.value()) {
      node.error("effective_batch_size", "is " + e.value() + " but batch_size " + b.value()
              + " x gradient_accumulation_steps " + a.value() + " is " + (long) a.value() * b.value()
              + "; set two of the three, or make them agree");
    }
    if (scheduler.reduceOnPlateau() > 0) {
      checkWatchedMetric(node, "learning_rate_scheduler.reduce_eval_split", scheduler.reduceEvalSplit(),
              "learning_rate_scheduler.reduce_eval_metric", scheduler.reduceEvalMetric(), outputs, validationField);
    }
    boolean mixedPrecision = node.bool("use_mixed_precision", false);
    boolean compile = node.bool("compile", false);
    int checkpointsPerEpoch = node.integer("checkpoints_per_epoch", 0, 0, Integer.MAX_VALUE);
    int stepsPerCheckpoint = node.integer("steps_per_checkpoint", 0, 0, Integer.MAX_VALUE);
    if (checkpointsPerEpoch > 0 && stepsPerCheckpoint > 0) {
      node.error("steps_per_checkpoint", "is " + stepsPerCheckpoint + " but checkpoints_per_epoch is also "
              + checkpointsPerEpoch + "; set only one of them");
    }
    var trainer = new Trainer(epochs, trainSteps, batchSize, evalBatchSize, learningRate, scaling, optimizer,
            scheduler, earlyStop, validationField, validationMetric, clipping,
            node.integer("max_batch_size", Integer.MAX_VALUE, 1, Integer.MAX_VALUE), accumulation, effectiveBatchSize,
            mixedPrecision,
            compile, checkpointsPerEpoch, stepsPerCheckpoint, node.bool("evaluate_training_set", false),
            node.bool("should_shuffle", true),
            node.choice("regularization_type", RegularizationType.class, RegularizationType.L2),
            node.decimal("regularization_lambda", 0.0, 0.0, Double.MAX_VALUE),
            node.bool("enable_gradient_checkpointing", false), node.bool("skip_all_evaluation", false),
            node.optionalInteger("eval_steps", null, 1, Integer.MAX_VALUE),
            node.string("layers_to_freeze_regex", null),
            node.integer("increase_batch_size_on_plateau", 0, 0, Integer.MAX_VALUE),
            node.integer("increase_batch_size_on_plateau_patience", 5, 0, Integer.MAX_VALUE),
            node.decimal("increase_batch_size_on_plateau_rate", 2.0, 0.0, Double.MAX_VALUE),
            node.string("increase_batch_size_eval_metric", "loss"),
            node.string("increase_batch_size_eval_split", "training"));
    if (trainer.increaseBatchSizeOnPlateau > 0) {
      checkWatchedMetric(node, "increase_batch_size_eval_split", trainer.increaseBatchSizeEvalSplit,
              "increase_batch_size_eval_metric", trainer.increaseBatchSizeEvalMetric, outputs, validationField);
    }
    node.rejectUnknownKeys();
    return trainer;
  }

  /**
   * Ludwig's set_validation_parameters (ludwig/schema/model_types/utils.py): without a field, the
   * first output feature when the metric is absent or loss, else the one output feature reporting
   * that metric.
   */
  private static String validationField(ConfigNode node, List<OutputFeature> outputs) {
    var allowed = new ArrayList<String>();
    outputs.forEach(o -> allowed.add(o.name()));
    allowed.add(ValidationMetrics.COMBINED);
    if (!node.has("validation_field")) {
      node.ignore("validation_field");
      if (outputs.isEmpty()) return ValidationMetrics.COMBINED;
      String metric = node.has("validation_metric") ? node.string("validation_metric", null) : null;
      if (metric == null || metric.equals("loss")) return outputs.getFirst().name();
      var reporting = outputs.stream().filter(o -> ValidationMetrics.of(o).contains(metric)).map(OutputFeature::name)
              .toList();
      if (reporting.size() != 1) {
        node.error("validation_metric", "'" + metric + "' is reported by " + (reporting.isEmpty() ? "no output "
                + "feature" : "several output features " + reporting) + "; set validation_field to one of "
                + String.join(", ", allowed));
        return ValidationMetrics.COMBINED;
      }
      return reporting.getFirst();
    }
    String field = node.string("validation_field", ValidationMetrics.COMBINED);
    if (field != null && !allowed.contains(field)) {
      String hint = DidYouMean.closest(field, allowed).map(n -> "; did you mean '" + n + "'?").orElse("");
      node.error("validation_field", "expected the name of an output feature or 'combined' (one of "
              + String.join(", ", allowed) + "), found '" + field + "'" + hint);
    }
    return field;
  }

  /**
   * reduce_on_plateau and increase_batch_size_on_plateau watch a metric of validation_field on a split,
   * as Ludwig does; the training split's only per-evaluation number is the combined loss of its batches.
   */
  private static void checkWatchedMetric(ConfigNode node, String splitKey, String split, String metricKey,
                                         String metric, List<OutputFeature> outputs, String field) {
    List<String> splits = List.of("training", "validation", "test");
    if (!splits.contains(split)) {
      node.error(splitKey, "expected one of " + String.join(", ", splits) + ", found '" + split + "'");
      return;
    }
    List<String> allowed = split.equals("training") ? ValidationMetrics.ofCombined()
            : outputs.stream().filter(o -> Objects.equals(o.name(), field)).findFirst().map(ValidationMetrics::of)
                    .orElse(ValidationMetrics.ofCombined());
    if (!allowed.contains(metric)) {
      node.error(metricKey, "'" + metric + "' is not tracked for validation_field '" + field + "' on the " + split
              + " split; expected one of " + String.join(", ", allowed));
    }
  }

  /** Without a metric: loss for combined, else the feature type's default_validation_metric (Ludwig's). */
  private static String validationMetric(ConfigNode node, List<OutputFeature> outputs, String field) {
    // An output without a name (already reported) must not stop validation with a NullPointerException.
    var feature = outputs.stream().filter(o -> Objects.equals(o.name(), field)).findFirst();
    String metric = node.string("validation_metric", feature.map(ValidationMetrics::defaultOf).orElse("loss"));
    List<String> allowed = feature.map(ValidationMetrics::of).orElse(ValidationMetrics.ofCombined());
    if (metric != null && !allowed.contains(metric)) {
      String hint = DidYouMean.closest(metric, allowed).map(n -> "; did you mean '" + n + "'?").orElse("");
      node.error("validation_metric", "'" + metric + "' is not a metric of validation_field '" + field
              + "'; expected one of " + String.join(", ", allowed) + hint);
    }
    return metric;
  }

  @Override
  public JsonNode toYamlNode() {
    return Yaml.map("type", "trainer", "epochs", epochs, "train_steps", trainSteps, "batch_size", batchSize,
            "eval_batch_size", evalBatchSize, "learning_rate", learningRate,
            "learning_rate_scaling", learningRateScaling, "optimizer", optimizer,
            "learning_rate_scheduler", learningRateScheduler, "early_stop", earlyStop,
            "validation_field", validationField, "validation_metric", validationMetric,
            "gradient_clipping", gradientClipping, "max_batch_size", maxBatchSize, "gradient_accumulation_steps", gradientAccumulationSteps,
            "effective_batch_size", effectiveBatchSize,
            "use_mixed_precision", useMixedPrecision, "compile", compile,
            "checkpoints_per_epoch", checkpointsPerEpoch, "steps_per_checkpoint", stepsPerCheckpoint,
            "evaluate_training_set", evaluateTrainingSet, "should_shuffle", shouldShuffle,
            "regularization_type", regularizationType, "regularization_lambda", regularizationLambda,
            "enable_gradient_checkpointing", enableGradientCheckpointing, "skip_all_evaluation", skipAllEvaluation,
            "eval_steps", evalSteps, "layers_to_freeze_regex", layersToFreezeRegex,
            "increase_batch_size_on_plateau", increaseBatchSizeOnPlateau,
            "increase_batch_size_on_plateau_patience", increaseBatchSizeOnPlateauPatience,
            "increase_batch_size_on_plateau_rate", increaseBatchSizeOnPlateauRate,
            "increase_batch_size_eval_metric", increaseBatchSizeEvalMetric,
            "increase_batch_size_eval_split", increaseBatchSizeEvalSplit);
  }
}
