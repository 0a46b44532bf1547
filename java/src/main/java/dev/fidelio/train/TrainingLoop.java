package dev.fidelio.train;

import dev.fidelio.config.FidelioConfig;
import dev.fidelio.distributed.Workers;
import dev.fidelio.experiment.Log;
import dev.fidelio.features.Dataset;
import dev.fidelio.features.TrainingSetMetadata;
import dev.fidelio.metrics.OutputMetrics;
import dev.fidelio.metrics.SplitStatistics;
import dev.fidelio.model.EcdModel;
import dev.fidelio.model.ModelBundle;
import dev.fidelio.predict.Predictor;
import dev.fidelio.runtime.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The training loop: epochs of shuffled batches, one native train step per batch at the
 * schedule's learning rate; after each epoch an evaluation, the best model (by validation_field /
 * validation_metric) saved, and early stopping after early_stop evaluations without improvement.
 * Data-parallel, every rank walks the same global batches (batch_size rows per rank) and trains on
 * its shard of each; losses are summed over ranks, rank 0's validation metric decides for all, and
 * rank 0 alone writes the model.
 */
public final class TrainingLoop {
  /** What the run decided and saw. */
  public record Result(TrainingStatistics statistics, int bestEpoch, double bestMetric, int epochsRun,
                       long steps, boolean stoppedEarly, double seconds) {}

  private TrainingLoop() {}

  public static Result run(EcdModel model, FidelioConfig config, TrainingSetMetadata metadata, TrainingPlan plan,
                           Dataset train, Dataset validation, Dataset test, Path modelFolder) {
    return run(model, config, metadata, plan, train, validation, test, modelFolder, Workers.single());
  }

  public static Result run(EcdModel model, FidelioConfig config, TrainingSetMetadata metadata, TrainingPlan plan,
                           Dataset train, Dataset validation, Dataset test, Path modelFolder, Workers workers) {
    long started = System.nanoTime();
    int globalBatch = plan.batchSize() * workers.worldSize();
    int stepsPerEpoch = (train.size() + globalBatch - 1) / globalBatch;
    Selection selection = Selection.of(config, validation);
    TrainingStatistics statistics = new TrainingStatistics();
    Random shuffle = new Random(plan.seed());
    long step = 0;
    int bestEpoch = 0;
    double best = Double.NaN;
    int sinceImprovement = 0;
    int epoch = 0;
    boolean stoppedEarly = false;
    while (epoch < plan.epochs() && step < plan.totalSteps()) {
      epoch++;
      // Phase 1: one pass over the shuffled training rows.
      int[] order = order(train.size(), config.trainer().shouldShuffle() ? shuffle : null);
      ProgressBar bar = new ProgressBar("epoch " + epoch + "/" + plan.epochs(), stepsPerEpoch);
      double lossSum = 0;
      int seen = 0;
      for (int b = 0; b < stepsPerEpoch && step < plan.totalSteps(); b++, step++) {
        Workers.Shard shard = workers.shard(java.util.Arrays.copyOfRange(order, b * globalBatch,
            Math.min(train.size(), (b + 1) * globalBatch)));
        int[] rows = shard.rows();
        List<Tensor> inputs = train.inputTensors(rows);
        List<Tensor> targets = train.targetTensors(rows);
        try {
          lossSum += model.trainStep(inputs, targets, plan.schedule().at(step)) * shard.counted();
        } finally {
          inputs.forEach(Tensor::close);
          targets.forEach(Tensor::close);
        }
        seen += shard.counted();
        bar.update(b + 1, seen, lossSum / seen);
      }
      double[] totals = workers.sum(lossSum, seen);
      lossSum = totals[0];
      seen = (int) totals[1];
      statistics.addTrainingLoss(lossSum / Math.max(1, seen), plan.schedule().at(Math.max(0, step - 1)));

      // Phase 2: evaluation on validation and test.
      workers.synchronizeModel(model);
      var validationStats = evaluate(model, config, metadata, plan, validation);
      var testStats = evaluate(model, config, metadata, plan, test);
      statistics.addEvaluation("validation", validationStats);
      statistics.addEvaluation("test", testStats);
      double metric = workers.fromRankZero(selection.metric(validationStats, lossSum / Math.max(1, seen)));
      Log.info(String.format("epoch %d: training loss %.4f, %s %s %s %.4f", epoch, lossSum / Math.max(1, seen),
          selection.split(), selection.field(), selection.metric(), metric));

      // Phase 3: keep the best model, stop when it no longer improves.
      if (Double.isNaN(best) || selection.improves(metric, best)) {
        best = metric;
        bestEpoch = epoch;
        sinceImprovement = 0;
        if (workers.writesResults()) ModelBundle.writeWeights(modelFolder, model);
      } else if (++sinceImprovement >= config.trainer().earlyStop() && config.trainer().earlyStop() >= 0) {
        Log.info("early stop: no improvement of " + selection.metric() + " for " + sinceImprovement + " evaluations");
        stoppedEarly = true;
        break;
      }
    }
    if (!workers.writesResults()) {
      return new Result(statistics, bestEpoch, best, epoch, step, stoppedEarly, (System.nanoTime() - started) / 1e9);
    }
    ModelBundle.readWeights(modelFolder, model);
    Log.info("best model: epoch " + bestEpoch + " (" + selection.metric() + " " + best + "), saved in " + modelFolder);
    return new Result(statistics, bestEpoch, best, epoch, step, stoppedEarly, (System.nanoTime() - started) / 1e9);
  }

  private static Map<String, Map<String, Object>> evaluate(EcdModel model, FidelioConfig config,
                                                           TrainingSetMetadata metadata, TrainingPlan plan, Dataset data) {
    if (data.size() == 0) return Map.of();
    return SplitStatistics.of(config, data, Predictor.run(model, data, config, metadata, plan.evalBatchSize()), false);
  }

  private static int[] order(int n, Random shuffle) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) order[i] = i;
    if (shuffle != null) {
      for (int i = n - 1; i > 0; i--) {
        int j = shuffle.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    return order;
  }

  /** Which metric picks the best model: validation_field / validation_metric on the validation split. */
  private record Selection(String split, String field, String metric) {
    static Selection of(FidelioConfig config, Dataset validation) {
      if (validation.size() == 0) {
        Log.warn("the validation split is empty: the best model is chosen by the training loss");
        return new Selection("training", "combined", "loss");
      }
      return new Selection("validation", config.trainer().validationField(), config.trainer().validationMetric());
    }

    double metric(Map<String, Map<String, Object>> validationStats, double trainingLoss) {
      if (split.equals("training")) return trainingLoss;
      return ((Number) validationStats.get(field).get(metric)).doubleValue();
    }

    boolean improves(double value, double best) {
      return OutputMetrics.lowerIsBetter(metric) ? value < best : value > best;
    }
  }
}
