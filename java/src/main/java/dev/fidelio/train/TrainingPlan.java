package dev.fidelio.train;

import dev.fidelio.config.AutoOr;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.InputFeature;
import dev.fidelio.config.LearningRateScheduler;
import dev.fidelio.config.TextInputFeature;
import dev.fidelio.experiment.Log;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The numbers a run trains with, resolved from the config and the data: batch sizes, the learning
 * rate (Ludwig's rule for {@code auto}), total steps and the schedule. {@link #describe} records
 * each with its reason for description.json.
 */
public record TrainingPlan(int epochs, long totalSteps, int batchSize, int evalBatchSize, double learningRate,
                           String learningRateReason, LearningRateSchedule schedule, long seed) {
  /** Used for batch_size: auto until throughput probing exists. */
  static final int AUTO_BATCH_SIZE = 32;

  public static TrainingPlan of(FidelioConfig config, int trainingRows, long seed) {
    return of(config, trainingRows, seed, 1);
  }

  /**
   * With worldSize data-parallel workers, batch_size is each worker's (Ludwig's rule): an epoch has
   * ceil(rows / (batch_size * workers)) steps and learning_rate_scaling scales the learning rate.
   */
  public static TrainingPlan of(FidelioConfig config, int trainingRows, long seed, int worldSize) {
    var t = config.trainer();
    int batchSize = switch (t.batchSize()) {
      case AutoOr.Value<Integer> v -> v.value();
      case AutoOr.Auto<Integer> a -> {
        Log.info("batch_size: auto -> " + AUTO_BATCH_SIZE + " (throughput probing is not implemented yet)");
        yield AUTO_BATCH_SIZE;
      }
    };
    batchSize = Math.max(1, Math.min(batchSize, (trainingRows + worldSize - 1) / worldSize));
    int evalBatchSize = t.evalBatchSize() instanceof AutoOr.Value<Integer> v ? v.value() : batchSize;
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
    if (worldSize > 1) {
      double scale = switch (t.learningRateScaling()) {
        case LINEAR -> worldSize;
        case SQRT -> Math.sqrt(worldSize);
        case CONSTANT -> 1.0;
      };
      learningRate *= scale;
      reason += "; x" + (float) scale + " for " + worldSize + " workers (learning_rate_scaling: "
          + t.learningRateScaling().name().toLowerCase(java.util.Locale.ROOT) + ")";
      Log.info("learning_rate: " + learningRate + " for " + worldSize + " workers (learning_rate_scaling: "
          + t.learningRateScaling().name().toLowerCase(java.util.Locale.ROOT) + ")");
    }
    long globalBatch = (long) batchSize * worldSize;
    long stepsPerEpoch = (trainingRows + globalBatch - 1) / globalBatch;
    long totalSteps = t.trainSteps() != null ? t.trainSteps() : t.epochs() * stepsPerEpoch;
    int epochs = t.trainSteps() != null ? (int) ((totalSteps + stepsPerEpoch - 1) / stepsPerEpoch) : t.epochs();
    LearningRateScheduler s = t.learningRateScheduler();
    LearningRateSchedule.Decay decay = s.decay() == null ? LearningRateSchedule.Decay.NONE
        : LearningRateSchedule.Decay.valueOf(s.decay().name());
    var schedule = new LearningRateSchedule(learningRate, totalSteps, Math.round(s.warmupFraction() * totalSteps),
        decay, decay == LearningRateSchedule.Decay.COSINE ? s.etaMin() : 0.0, s.decayRate(),
        Math.max(1, s.decaySteps()), s.staircase());
    return new TrainingPlan(epochs, totalSteps, batchSize, evalBatchSize, learningRate, reason, schedule, seed);
  }

  /** Ludwig's rule: by the most demanding input, {rate, reason}. */
  static String[] autoLearningRate(FidelioConfig config) {
    boolean trainablePretrained = false;
    boolean frozenPretrained = false;
    boolean fromScratch = false;
    for (InputFeature input : config.inputFeatures()) {
      if (input instanceof TextInputFeature text) {
        if (!text.encoder().usePretrained()) fromScratch = true;
        else if (text.encoder().trainable()) trainablePretrained = true;
        else frozenPretrained = true;
      }
    }
    if (trainablePretrained) return new String[] {"1e-5", "a trainable pretrained encoder"};
    if (frozenPretrained) return new String[] {"2e-5", "frozen pretrained encoders"};
    if (fromScratch) return new String[] {"1e-4", "unstructured inputs trained from scratch"};
    return new String[] {"1e-3", "tabular inputs only"};
  }

  public Map<String, Object> describe() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("epochs", epochs);
    d.put("total_steps", totalSteps);
    d.put("batch_size", batchSize);
    d.put("eval_batch_size", evalBatchSize);
    d.put("learning_rate", learningRate);
    d.put("learning_rate_reason", learningRateReason);
    d.put("warmup_steps", schedule.warmupSteps());
    d.put("decay", schedule.decay().name().toLowerCase());
    d.put("random_seed", seed);
    return d;
  }
}
