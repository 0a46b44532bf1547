package dev.fidelio.train;

import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.Trainer;
import dev.fidelio.distributed.Workers;
import dev.fidelio.features.Dataset;
import dev.fidelio.features.TrainingSetMetadata;
import dev.fidelio.metrics.OutputMetrics;
import dev.fidelio.metrics.SplitMetrics;
import dev.fidelio.model.EcdModel;
import dev.fidelio.model.ModelBundle;
import dev.fidelio.model.ModelWeightsWriter;
import dev.fidelio.predict.Predictor;
import dev.fidelio.runtime.FidelioException;
import dev.fidelio.runtime.Status;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.util.Log;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The training loop: epochs of shuffled rows, one optimizer step per effective batch (accumulated
 * over micro-batches) at the schedule's learning rate; every steps_per_checkpoint steps an
 * evaluation, reduce-on-plateau, the best model (by validation_field / validation_metric) saved, and
 * early stopping after early_stop evaluations without improvement; with increase_batch_size_on_plateau
 * the batch grows at the next epoch when its metric stalls. Data-parallel, every rank walks
 * the same seeded global batches and trains on its shard of each; losses are summed over ranks,
 * rank 0's validation metric decides for all, and rank 0 alone writes the model and the log.
 */
public final class TrainingLoop {
  /** What the run decided and saw. */
  public record Result(TrainingStatistics statistics, int bestEpoch, double bestMetric, int epochsRun,
                       long steps, boolean stoppedEarly, double seconds) {}

  private TrainingLoop() {}

  /**
   * Trains, writing the best weights to results/model, the per-step log to results/training_log.csv
   * and a checkpoint at each evaluation to results/training_checkpoints. With resume, it continues
   * from the newest intact checkpoint there, drawing the same batches and random numbers as a run
   * that was never interrupted.
   */
  public static Result run(EcdModel model, FidelioConfig config, TrainingSetMetadata metadata, TrainingPlan plan,
                           Dataset train, Dataset validation, Dataset test, Path results, boolean resume) {
    return run(model, config, metadata, plan, train, validation, test, results, resume, Workers.single());
  }

  /**
   * As above, as one of workers; results is null on ranks other than 0. Data-parallel runs write no
   * checkpoints: under ZeRO-1 no rank holds the whole optimizer state.
   */
  public static Result run(EcdModel model, FidelioConfig config, TrainingSetMetadata metadata, TrainingPlan plan,
                           Dataset train, Dataset validation, Dataset test, Path results, boolean resume,
                           Workers workers) {
    return run(model, config, metadata, plan, train, validation, test, results, resume, workers, TrainingHooks.NONE);
  }

  /**
   * As above, telling hooks of steps, evaluations and best models; when hooks cancel, the run
   * checkpoints where it is (mid-epoch too) and throws {@link RunCancelledException}.
   */
  public static Result run(EcdModel model, FidelioConfig config, TrainingSetMetadata metadata, TrainingPlan plan,
                           Dataset train, Dataset validation, Dataset test, Path results, boolean resume,
                           Workers workers, TrainingHooks hooks) {
    long started = System.nanoTime();
    boolean writes = workers.writesResults();
    Path modelFolder = writes ? results.resolve("model") : null;
    ModelWeightsWriter modelWriter = writes ? new ModelWeightsWriter(modelFolder) : null;
    Checkpoints checkpoints = writes && !workers.distributed() ? new Checkpoints(results) : null;
    TrainingProgress progress = resume ? checkpoints.restoreLatest(model).orElseThrow(() -> new IllegalArgumentException(
        "no intact checkpoint under " + results.resolve(Checkpoints.FOLDER) + " to resume from"))
        : TrainingProgress.initial();
    Selection selection = Selection.of(config, validation);
    PlateauWatch plateau = PlateauWatch.of(config);
    BatchSizeIncrease increase = BatchSizeIncrease.of(config);
    int batchSize = plan.batchSize();  // grows only with increase_batch_size_on_plateau (no resume then)
    plateau.reduction().restore(progress.plateau());
    TrainingStatistics statistics = TrainingStatistics.fromJson(progress.statistics());
    long step = progress.step();
    int bestEpoch = progress.bestEpoch();
    double best = progress.best();
    int sinceImprovement = progress.sinceImprovement();
    boolean stop = progress.stopped();
    boolean stoppedEarly = progress.stopped();
    // The data position: whole epochs done, then steps into the next; the shuffles replay from the seed.
    int epoch = (int) (step / plan.stepsPerEpoch());
    long firstBatch = step % plan.stepsPerEpoch();
    Random shuffle = new Random(plan.seed());
    Trainer t = config.trainer();
    boolean shuffled = t.shouldShuffle();
    for (int e = 0; e < epoch; e++) order(train.size(), shuffled ? shuffle : null);
    double intervalLoss = progress.intervalLoss();
    int intervalRows = progress.intervalRows();
    MicroBatch microBatch = new MicroBatch(batchSize);
    try (TrainingLog log = !writes ? TrainingLog.discard() : resume ? TrainingLog.resume(results.resolve(TrainingLog.FILE), step)
        : TrainingLog.create(results.resolve(TrainingLog.FILE))) {
      while (!stop && epoch < plan.epochs() && step < plan.totalSteps()) {
        epoch++;
        int globalBatch = batchSize * plan.accumulationSteps() * plan.workers();
        long stepsPerEpoch = (train.size() + globalBatch - 1) / globalBatch;
        int[] order = order(train.size(), shuffled ? shuffle : null);
        ProgressBar bar = new ProgressBar("epoch " + epoch + "/" + plan.epochs(), (int) stepsPerEpoch);
        int epochRows = 0;
        for (long b = firstBatch; b < stepsPerEpoch && !stop && step < plan.totalSteps(); b++) {
          // Phase 1: one optimizer step over the next effective batch.
          Workers.Shard shard = workers.shard(Arrays.copyOfRange(order, (int) b * globalBatch,
              Math.min(train.size(), (int) (b + 1) * globalBatch)));
          double learningRate = plan.schedule().at(step) * plateau.reduction().factor();
          double shardLoss = update(model, train, shard.rows(), microBatch, learningRate);
          double[] total = workers.sum(shardLoss * shard.counted(), shard.counted());
          double loss = total[0] / total[1];
          int rows = (int) total[1];
          step++;
          log.step(step, epoch, learningRate, loss, rows);
          intervalLoss += loss * rows;
          intervalRows += rows;
          epochRows += rows;
          bar.update((int) b + 1, epochRows, intervalLoss / intervalRows);
          hooks.step(epoch, step, learningRate, loss);
          boolean lastStep = step == plan.totalSteps() || (epoch == plan.epochs() && b == stepsPerEpoch - 1);
          if (step % plan.stepsPerCheckpoint() != 0 && !lastStep) {
            if (hooks.cancelled()) {
              // Between evaluations: checkpoint the running loss too, so the next evaluation's is the same.
              log.flush();
              if (checkpoints == null) throw new RunCancelledException(results, step);
              checkpoints.save(model, new TrainingProgress(step, bestEpoch, best, sinceImprovement, stop,
                  plateau.reduction().state(), statistics.toJson(), intervalLoss, intervalRows));
              throw new RunCancelledException(results, step);
            }
            continue;
          }

          // Phase 2: evaluation (the training set too with evaluate_training_set; none with skip_all_evaluation).
          double trainingLoss = intervalLoss / intervalRows;
          intervalLoss = 0;
          intervalRows = 0;
          log.flush();
          workers.synchronizeModel(model);  // batch-norm statistics differ per rank: evaluate with rank 0's
          if (t.evaluateTrainingSet() && !t.skipAllEvaluation()) {
            statistics.addTrainingEvaluation(evaluate(model, config, metadata, plan, train), learningRate);
          } else {
            statistics.addTrainingLoss(trainingLoss, learningRate);
          }
          SplitMetrics validationStats = SplitMetrics.NONE, testStats = SplitMetrics.NONE;
          if (!t.skipAllEvaluation()) {
            validationStats = evaluate(model, config, metadata, plan, validation);
            testStats = evaluate(model, config, metadata, plan, test);
            statistics.addEvaluation("validation", validationStats);
            statistics.addEvaluation("test", testStats);
          }
          double metric = t.skipAllEvaluation() ? trainingLoss
              : workers.fromRankZero(selection.metric(validationStats, trainingLoss));
          Log.info(String.format("epoch %d, step %d: training loss %.4f, %s, learning rate %.3g", epoch, step,
              trainingLoss, t.skipAllEvaluation() ? "no evaluation (skip_all_evaluation)"
                  : String.format("%s %s %s %.4f", selection.split(), selection.field(), selection.metric(), metric),
              learningRate));
          hooks.evaluation(epoch, step, trainingLoss, validationStats, testStats);
          plateau.observe(trainingLoss, validationStats, testStats);
          int next = increase.observe(batchSize, trainingLoss, validationStats, testStats);
          if (next != batchSize) {
            batchSize = next;
            microBatch = new MicroBatch(batchSize);
          }

          // Phase 3: keep the best model (the latest without evaluation), stop when it no longer improves, checkpoint.
          if (t.skipAllEvaluation() || Double.isNaN(best) || selection.improves(metric, best)) {
            best = metric;
            bestEpoch = epoch;
            sinceImprovement = 0;
            if (writes) modelWriter.write(model);
            hooks.bestModel(epoch, step, selection.metric(), metric);
          } else if (++sinceImprovement >= config.trainer().earlyStop() && config.trainer().earlyStop() >= 0) {
            Log.info("early stop: no improvement of " + selection.metric() + " for " + sinceImprovement
                + " evaluations");
            stoppedEarly = true;
            stop = true;
          }
          if (checkpoints != null) {
            checkpoints.save(model, new TrainingProgress(step, bestEpoch, best, sinceImprovement, stop,
                plateau.reduction().state(), statistics.toJson(), 0, 0));
          }
          // The checkpoint just written is where a cancelled run continues; after the last step the run is done.
          if (!lastStep && !stop && hooks.cancelled()) throw new RunCancelledException(results, step);
        }
        firstBatch = 0;
      }
    }
    if (!writes) return new Result(statistics, bestEpoch, best, epoch, step, stoppedEarly, (System.nanoTime() - started) / 1e9);
    ModelBundle.readWeights(modelFolder, model);
    Log.info(config.trainer().skipAllEvaluation() ? "model after the last step (skip_all_evaluation), saved in "
        + modelFolder : "best model: epoch " + bestEpoch + " (" + selection.metric() + " " + best + "), saved in "
        + modelFolder);
    return new Result(statistics, bestEpoch, best, epoch, step, stoppedEarly, (System.nanoTime() - started) / 1e9);
  }

  /** The rows per forward/backward pass; halved when a pass runs out of memory. */
  static final class MicroBatch {
    int size;

    MicroBatch(int size) {
      this.size = size;
    }
  }

  /**
   * One optimizer step over rows, the mean loss. On out-of-memory the micro-batch halves and the
   * step starts over with more micro-batches: the effective batch, and so the update, stays the same.
   */
  static double update(EcdModel model, Dataset train, int[] rows, MicroBatch microBatch, double learningRate) {
    while (true) {
      try {
        return accumulate(model, train, rows, microBatch.size, learningRate);
      } catch (FidelioException e) {
        if (e.status() != Status.OUT_OF_MEMORY || microBatch.size == 1) throw e;
        int before = microBatch.size;
        microBatch.size = Math.max(1, before / 2);
        Log.warn("out of memory with " + before + " rows per pass (" + e.getMessage() + "); continuing with "
            + microBatch.size + " rows per pass, accumulated to the same " + rows.length + "-row step");
      }
    }
  }

  /** Micro-batches of batchSize rows, each weighted by its share of rows; the mean loss. */
  private static double accumulate(EcdModel model, Dataset train, int[] rows, int batchSize, double learningRate) {
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

  private static SplitMetrics evaluate(EcdModel model, FidelioConfig config, TrainingSetMetadata metadata,
                                       TrainingPlan plan, Dataset data) {
    if (data.size() == 0) return SplitMetrics.NONE;
    // trainer.eval_steps: Ludwig evaluates that many batches, the first rows of the unshuffled split.
    Integer steps = config.trainer().evalSteps();
    Dataset evaluated = steps == null ? data : data.head((long) steps * plan.evalBatchSize());
    return SplitMetrics.of(config, evaluated, Predictor.run(model, evaluated, config, metadata, plan.evalBatchSize()),
        false);
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

    double metric(SplitMetrics validationStats, double trainingLoss) {
      return split.equals("training") ? trainingLoss : validationStats.metric(field, metric);
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

    void observe(double trainingLoss, SplitMetrics validation, SplitMetrics test) {
      double value = split.equals("training") ? trainingLoss
          : (split.equals("validation") ? validation : test).metric(field, metric);
      if (reduction.observe(value)) {
        Log.info("reduce_on_plateau: " + split + " " + metric + " stopped improving; learning rate x"
            + reduction.factor() + " (reduction " + reduction.reductions() + ")");
      }
    }
  }
}
