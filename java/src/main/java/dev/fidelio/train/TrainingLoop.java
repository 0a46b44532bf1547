package dev.fidelio.train;

import dev.fidelio.config.FidelioConfig;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The training loop: epochs of shuffled rows, one optimizer step per effective batch (accumulated
 * over micro-batches) at the schedule's learning rate; every steps_per_checkpoint steps an
 * evaluation, reduce-on-plateau, the best model (by validation_field / validation_metric) saved, and
 * early stopping after early_stop evaluations without improvement.
 */
public final class TrainingLoop {
  /** What the run decided and saw. */
  public record Result(TrainingStatistics statistics, int bestEpoch, double bestMetric, int epochsRun,
                       long steps, boolean stoppedEarly, double seconds) {}

  private TrainingLoop() {}

  public static Result run(EcdModel model, FidelioConfig config, TrainingSetMetadata metadata, TrainingPlan plan,
                           Dataset train, Dataset validation, Dataset test, Path modelFolder, Path trainingLog) {
    long started = System.nanoTime();
    int effectiveBatch = plan.batchSize() * plan.accumulationSteps();
    Selection selection = Selection.of(config, validation);
    PlateauWatch plateau = PlateauWatch.of(config);
    TrainingStatistics statistics = new TrainingStatistics();
    Random shuffle = new Random(plan.seed());
    long step = 0;
    int bestEpoch = 0;
    double best = Double.NaN;
    int sinceImprovement = 0;
    int epoch = 0;
    boolean stop = false;
    boolean stoppedEarly = false;
    try (TrainingLog log = TrainingLog.create(trainingLog)) {
      while (!stop && epoch < plan.epochs() && step < plan.totalSteps()) {
        epoch++;
        int[] order = order(train.size(), config.trainer().shouldShuffle() ? shuffle : null);
        ProgressBar bar = new ProgressBar("epoch " + epoch + "/" + plan.epochs(), (int) plan.stepsPerEpoch());
        double intervalLoss = 0;
        int intervalRows = 0;
        for (int b = 0; b < plan.stepsPerEpoch() && !stop && step < plan.totalSteps(); b++) {
          // Phase 1: one optimizer step over the next effective batch.
          int[] rows = Arrays.copyOfRange(order, b * effectiveBatch, Math.min(train.size(), (b + 1) * effectiveBatch));
          double learningRate = plan.schedule().at(step) * plateau.reduction().factor();
          double loss = update(model, train, rows, plan.batchSize(), learningRate);
          step++;
          log.step(step, epoch, learningRate, loss, rows.length);
          intervalLoss += loss * rows.length;
          intervalRows += rows.length;
          bar.update(b + 1, intervalRows, intervalLoss / intervalRows);
          boolean lastStep = step == plan.totalSteps() || (epoch == plan.epochs() && b == plan.stepsPerEpoch() - 1);
          if (step % plan.stepsPerCheckpoint() != 0 && !lastStep) continue;

          // Phase 2: evaluation on validation and test.
          double trainingLoss = intervalLoss / intervalRows;
          intervalLoss = 0;
          intervalRows = 0;
          log.flush();
          statistics.addTrainingLoss(trainingLoss, learningRate);
          var validationStats = evaluate(model, config, metadata, plan, validation);
          var testStats = evaluate(model, config, metadata, plan, test);
          statistics.addEvaluation("validation", validationStats);
          statistics.addEvaluation("test", testStats);
          double metric = selection.metric(validationStats, trainingLoss);
          Log.info(String.format("epoch %d, step %d: training loss %.4f, %s %s %s %.4f, learning rate %.3g", epoch,
              step, trainingLoss, selection.split(), selection.field(), selection.metric(), metric, learningRate));
          plateau.observe(trainingLoss, validationStats, testStats);

          // Phase 3: keep the best model, stop when it no longer improves.
          if (Double.isNaN(best) || selection.improves(metric, best)) {
            best = metric;
            bestEpoch = epoch;
            sinceImprovement = 0;
            ModelBundle.writeWeights(modelFolder, model);
          } else if (++sinceImprovement >= config.trainer().earlyStop() && config.trainer().earlyStop() >= 0) {
            Log.info("early stop: no improvement of " + selection.metric() + " for " + sinceImprovement
                + " evaluations");
            stoppedEarly = true;
            stop = true;
          }
        }
      }
    }
    ModelBundle.readWeights(modelFolder, model);
    Log.info("best model: epoch " + bestEpoch + " (" + selection.metric() + " " + best + "), saved in " + modelFolder);
    return new Result(statistics, bestEpoch, best, epoch, step, stoppedEarly, (System.nanoTime() - started) / 1e9);
  }

  /** One optimizer step: micro-batches of batchSize rows, each weighted by its share of rows; the mean loss. */
  private static double update(EcdModel model, Dataset train, int[] rows, int batchSize, double learningRate) {
    double lossSum = 0;
    for (int start = 0; start < rows.length; start += batchSize) {
      int[] micro = Arrays.copyOfRange(rows, start, Math.min(rows.length, start + batchSize));
      List<Tensor> inputs = train.inputTensors(micro);
      List<Tensor> targets = train.targetTensors(micro);
      try {
        lossSum += micro.length * model.trainMicroBatch(inputs, targets, (double) micro.length / rows.length,
            start == 0, start + batchSize >= rows.length, learningRate);
      } finally {
        inputs.forEach(Tensor::close);
        targets.forEach(Tensor::close);
      }
    }
    return lossSum / rows.length;
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

  /** reduce_on_plateau's metric: reduce_eval_metric of validation_field on reduce_eval_split. */
  private record PlateauWatch(PlateauReduction reduction, String split, String field, String metric) {
    static PlateauWatch of(FidelioConfig config) {
      var s = config.trainer().learningRateScheduler();
      if (s.reduceOnPlateau() == 0) return new PlateauWatch(PlateauReduction.off(), "training", "combined", "loss");
      return new PlateauWatch(new PlateauReduction(s.reduceOnPlateau(), s.reduceOnPlateauPatience(),
          s.reduceOnPlateauRate(), OutputMetrics.lowerIsBetter(s.reduceEvalMetric())), s.reduceEvalSplit(),
          config.trainer().validationField(), s.reduceEvalMetric());
    }

    void observe(double trainingLoss, Map<String, Map<String, Object>> validation,
                 Map<String, Map<String, Object>> test) {
      Map<String, Map<String, Object>> stats = split.equals("validation") ? validation : test;
      double value = split.equals("training") ? trainingLoss
          : stats.containsKey(field) ? ((Number) stats.get(field).get(metric)).doubleValue() : Double.NaN;
      if (reduction.observe(value)) {
        Log.info("reduce_on_plateau: " + split + " " + metric + " stopped improving; learning rate x"
            + reduction.factor() + " (reduction " + reduction.reductions() + ")");
      }
    }
  }
}
