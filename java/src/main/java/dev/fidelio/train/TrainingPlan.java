package dev.fidelio.train;

import dev.fidelio.config.AutoOr;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.ImageInputFeature;
import dev.fidelio.config.InputFeature;
import dev.fidelio.config.LearningRateScheduler;
import dev.fidelio.config.TextInputFeature;
import dev.fidelio.config.Trainer;
import dev.fidelio.util.Log;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The numbers a run trains with, resolved from the config and the data: batch sizes, gradient
 * accumulation, the learning rate (Ludwig's rule for {@code auto}, then learning_rate_scaling),
 * steps, evaluation interval and the schedule. {@link #describe} records each for description.json.
 *
 * @param batchSize rows per forward/backward pass (micro-batch) of each worker
 * @param accumulationSteps micro-batches per optimizer step; batchSize x accumulationSteps x workers
 *     is the effective batch size
 * @param workers data-parallel processes (1: this process trains alone)
 * @param stepsPerEpoch optimizer steps per pass over the training set
 * @param stepsPerCheckpoint optimizer steps between evaluations (Ludwig's steps_per_checkpoint)
 */
public record TrainingPlan(int epochs, long totalSteps, int batchSize, int accumulationSteps, int workers,
                           int evalBatchSize, double learningRate, String learningRateReason, LearningRateSchedule schedule,
                           long stepsPerEpoch, long stepsPerCheckpoint, long seed) {
  /** Stands in for batch_size: auto until the probe (which needs the model and the data) has run. */
  static final int AUTO_BATCH_SIZE = 32;

  /** The plan of one process training alone, before probing: batch_size auto counts as {@link #AUTO_BATCH_SIZE}. */
  public static TrainingPlan of(FidelioConfig config, int trainingRows, long seed) {
    return of(config, trainingRows, seed, 1, null, null);
  }

  /**
   * With workers data-parallel processes, batch_size is each worker's (Ludwig's rule): an optimizer
   * step covers batch_size x accumulation x workers rows and learning_rate_scaling scales the rate.
   * probedBatchSize / probedEvalBatchSize (null: none) stand in for batch_size / eval_batch_size auto.
   */
  public static TrainingPlan of(FidelioConfig config, int trainingRows, long seed, int workers,
                                Integer probedBatchSize, Integer probedEvalBatchSize) {
    var t = config.trainer();
    int batchSize = switch (t.batchSize()) {
      case AutoOr.Value<Integer> v -> v.value();
      case AutoOr.Auto<Integer> a -> probedBatchSize != null ? probedBatchSize : AUTO_BATCH_SIZE;
    };
    batchSize = Math.max(1, Math.min(batchSize, (trainingRows + workers - 1) / workers));
    int accumulation = accumulationSteps(t, batchSize, trainingRows, workers);
    int evalBatchSize = t.evalBatchSize() instanceof AutoOr.Value<Integer> v ? v.value()
        : t.evalBatchSize() instanceof AutoOr.Auto<Integer> && probedEvalBatchSize != null ? probedEvalBatchSize
        : batchSize;
    double learningRate;
    String reason;
    switch (t.learningRate()) {
      case AutoOr.Value<Double> v -> {
        learningRate = v.value();
        reason = "set in the config";
      }
      case AutoOr.Auto<Double> a -> {
        String[] rule = autoLearningRate(config);
        learningRate = Double.parseDouble(rule[0]);
        reason = "auto: " + rule[1];
        Log.info("learning_rate: auto -> " + learningRate + " (" + rule[1] + ")");
      }
    }
    double scale = scaling(t.learningRateScaling(), workers);
    learningRate *= scale;
    reason += "; learning_rate_scaling " + t.learningRateScaling().name().toLowerCase() + " x" + scale + " for "
        + workers + (workers == 1 ? " worker" : " workers");
    if (workers > 1) Log.info("learning_rate: " + learningRate + " for " + workers + " workers (" + reason + ")");
    long effectiveBatch = (long) batchSize * accumulation * workers;
    long stepsPerEpoch = (trainingRows + effectiveBatch - 1) / effectiveBatch;
    long totalSteps = t.trainSteps() != null ? t.trainSteps() : t.epochs() * stepsPerEpoch;
    int epochs = t.trainSteps() != null ? (int) ((totalSteps + stepsPerEpoch - 1) / stepsPerEpoch) : t.epochs();
    long stepsPerCheckpoint = stepsPerCheckpoint(t, stepsPerEpoch, totalSteps);
    LearningRateScheduler s = t.learningRateScheduler();
    // Ludwig takes the larger of the two warmups; the config allows only one of them.
    long warmupSteps = Math.min(totalSteps, Math.max(Math.round(s.warmupFraction() * totalSteps),
        (long) s.warmupEvaluations() * stepsPerCheckpoint));
    LearningRateSchedule.Decay decay = s.decay() == null ? LearningRateSchedule.Decay.NONE
        : LearningRateSchedule.Decay.valueOf(s.decay().name());
    var schedule = new LearningRateSchedule(learningRate, totalSteps, warmupSteps, decay,
        decay == LearningRateSchedule.Decay.COSINE ? s.etaMin() : 0.0, s.decayRate(), Math.max(1, s.decaySteps()),
        s.staircase());
    return new TrainingPlan(epochs, totalSteps, batchSize, accumulation, workers, evalBatchSize, learningRate, reason,
        schedule, stepsPerEpoch, stepsPerCheckpoint, seed);
  }

  /** gradient_accumulation_steps, or effective_batch_size / batch_size (Ludwig's floor), at most one epoch's rows. */
  static int accumulationSteps(Trainer t, int batchSize, int trainingRows, int workers) {
    int steps = switch (t.gradientAccumulationSteps()) {
      case AutoOr.Value<Integer> v -> v.value();
      case AutoOr.Auto<Integer> a -> t.effectiveBatchSize() instanceof AutoOr.Value<Integer> e
          ? Math.max(1, e.value() / (batchSize * workers)) : 1;
    };
    int fitting = Math.max(1, trainingRows / (batchSize * workers));
    if (steps > fitting) {
      Log.warn("gradient accumulation of " + steps + " x " + batchSize + " rows exceeds the " + trainingRows
          + " training rows; accumulating " + fitting + " batches per step");
      return fitting;
    }
    return steps;
  }

  /** Ludwig's learning_rate_scaling: the rate grows with the number of data-parallel workers. */
  static double scaling(Trainer.LearningRateScaling scaling, int workers) {
    return switch (scaling) {
      case LINEAR -> workers;
      case SQRT -> Math.sqrt(workers);
      case CONSTANT -> 1.0;
    };
  }

  /** steps_per_checkpoint, else one epoch split checkpoints_per_epoch ways, else one epoch; at most all steps. */
  static long stepsPerCheckpoint(Trainer t, long stepsPerEpoch, long totalSteps) {
    long steps = t.stepsPerCheckpoint() > 0 ? t.stepsPerCheckpoint()
        : t.checkpointsPerEpoch() > 0 ? Math.max(1, stepsPerEpoch / t.checkpointsPerEpoch()) : stepsPerEpoch;
    return Math.max(1, Math.min(steps, totalSteps));
  }

  /**
   * Ludwig's get_auto_learning_rate (ludwig/utils/heuristics.py): 1e-3 without text or image inputs,
   * 1e-4 when no encoder is pretrained, 1e-5 when any encoder trains, else 2e-5. {rate, reason}.
   */
  static String[] autoLearningRate(FidelioConfig config) {
    boolean unstructured = false, pretrained = false, trainable = false;
    for (InputFeature input : config.inputFeatures()) {
      switch (input) {
        case TextInputFeature text -> {
          unstructured = true;
          pretrained |= text.encoder().usePretrained();
          trainable |= text.encoder().trainable();
        }
        case ImageInputFeature image -> {
          unstructured = true;
          pretrained |= image.encoder().usePretrained();
          trainable |= image.encoder().trainable();
        }
        default -> { }
      }
    }
    if (!unstructured) return new String[] {"1e-3", "no text or image input"};
    if (!pretrained) return new String[] {"1e-4", "text or image inputs without a pretrained encoder"};
    if (trainable) return new String[] {"1e-5", "a trainable encoder"};
    return new String[] {"2e-5", "pretrained encoders, all frozen"};
  }

  public Map<String, Object> describe() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("epochs", epochs);
    d.put("total_steps", totalSteps);
    d.put("batch_size", batchSize);
    d.put("gradient_accumulation_steps", accumulationSteps);
    d.put("workers", workers);
    d.put("effective_batch_size", batchSize * accumulationSteps * workers);
    d.put("eval_batch_size", evalBatchSize);
    d.put("learning_rate", learningRate);
    d.put("learning_rate_reason", learningRateReason);
    d.put("steps_per_epoch", stepsPerEpoch);
    d.put("steps_per_checkpoint", stepsPerCheckpoint);
    d.put("warmup_steps", schedule.warmupSteps());
    d.put("decay", schedule.decay().name().toLowerCase());
    d.put("random_seed", seed);
    return d;
  }
}
