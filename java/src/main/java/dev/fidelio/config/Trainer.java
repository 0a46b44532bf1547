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
 *     Ludwig resolves an absent value to the only output feature, else "combined"
 * @param checkpointsPerEpoch 0 means one evaluation per epoch (unless steps_per_checkpoint is set)
 */
public record Trainer(int epochs, Integer trainSteps, AutoOr<Integer> batchSize, AutoOr<Integer> evalBatchSize,
                      AutoOr<Double> learningRate, LearningRateScaling learningRateScaling, Optimizer optimizer,
                      LearningRateScheduler learningRateScheduler, int earlyStop, String validationField,
                      String validationMetric, GradientClipping gradientClipping,
                      int maxBatchSize, AutoOr<Integer> gradientAccumulationSteps, AutoOr<Integer> effectiveBatchSize,
                      boolean useMixedPrecision, boolean compile,
                      int checkpointsPerEpoch, int stepsPerCheckpoint, boolean evaluateTrainingSet,
                      boolean shouldShuffle, RegularizationType regularizationType, double regularizationLambda,
                      boolean enableGradientCheckpointing, boolean skipAllEvaluation) implements Yaml.Rendered {

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
        if (scheduler.reduceOnPlateau() > 0) checkReduceEval(node, scheduler, outputs, validationField);
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
                node.bool("enable_gradient_checkpointing", false), node.bool("skip_all_evaluation", false));
        node.rejectUnknownKeys();
        return trainer;
    }

    private static String validationField(ConfigNode node, List<OutputFeature> outputs) {
        String fallback = outputs.size() == 1 ? outputs.getFirst().name() : ValidationMetrics.COMBINED;
        String field = node.string("validation_field", fallback);
        var allowed = new ArrayList<String>();
        outputs.forEach(o -> allowed.add(o.name()));
        allowed.add(ValidationMetrics.COMBINED);
        if (field != null && !allowed.contains(field)) {
            String hint = DidYouMean.closest(field, allowed).map(n -> "; did you mean '" + n + "'?").orElse("");
            node.error("validation_field", "expected the name of an output feature or 'combined' (one of "
                    + String.join(", ", allowed) + "), found '" + field + "'" + hint);
        }
        return field;
    }

    /** reduce_on_plateau watches reduce_eval_metric of validation_field on reduce_eval_split, as Ludwig does. */
    private static void checkReduceEval(ConfigNode node, LearningRateScheduler scheduler, List<OutputFeature> outputs,
                                        String field) {
        List<String> splits = List.of("training", "validation", "test");
        String split = scheduler.reduceEvalSplit();
        if (!splits.contains(split)) {
            node.error("learning_rate_scheduler.reduce_eval_split", "expected one of " + String.join(", ", splits)
                    + ", found '" + split + "'");
            return;
        }
        // The training split's only per-evaluation number is the combined loss of its batches.
        List<String> allowed = split.equals("training") ? ValidationMetrics.ofCombined()
                : outputs.stream().filter(o -> Objects.equals(o.name(), field)).findFirst().map(ValidationMetrics::of)
                        .orElse(ValidationMetrics.ofCombined());
        if (!allowed.contains(scheduler.reduceEvalMetric())) {
            node.error("learning_rate_scheduler.reduce_eval_metric", "'" + scheduler.reduceEvalMetric()
                    + "' is not tracked for validation_field '" + field + "' on the " + split + " split; expected one of "
                    + String.join(", ", allowed));
        }
    }

    private static String validationMetric(ConfigNode node, List<OutputFeature> outputs, String field) {
        String metric = node.string("validation_metric", "loss");
        // An output without a name (already reported) must not stop validation with a NullPointerException.
        List<String> allowed = outputs.stream().filter(o -> Objects.equals(o.name(), field)).findFirst()
                .map(ValidationMetrics::of).orElse(ValidationMetrics.ofCombined());
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
                "enable_gradient_checkpointing", enableGradientCheckpointing, "skip_all_evaluation", skipAllEvaluation);
    }
}
