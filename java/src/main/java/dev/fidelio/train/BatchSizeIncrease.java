package dev.fidelio.train;

import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.Trainer;
import dev.fidelio.metrics.OutputMetrics;
import dev.fidelio.metrics.SplitMetrics;
import dev.fidelio.util.Log;

/**
 * Ludwig's trainer.increase_batch_size_on_plateau (Trainer.increase_batch_size in ludwig/trainers/
 * trainer.py): at each evaluation, increase_batch_size_eval_metric of validation_field on
 * increase_batch_size_eval_split is compared with its best (strictly, no threshold); after
 * increase_batch_size_on_plateau_patience evaluations without improvement the batch size is
 * multiplied by increase_batch_size_on_plateau_rate (floored, at most max_batch_size), at most
 * increase_batch_size_on_plateau times. As in Ludwig the new size applies from the next epoch.
 * Ludwig also requires the last increase to lie patience steps back, which holds after any
 * evaluation but the very first steps, so that condition is left out.
 */
final class BatchSizeIncrease {
  private final Trainer trainer;
  private final int maxBatchSize;
  private double best = Double.NaN;
  private int sinceImprovement;
  private int increases;

  private BatchSizeIncrease(Trainer trainer, int maxBatchSize) {
    this.trainer = trainer;
    this.maxBatchSize = maxBatchSize;
  }

  static BatchSizeIncrease of(FidelioConfig config) {
    return new BatchSizeIncrease(config.trainer(), config.trainer().maxBatchSize());
  }

  /** The batch size for the next epoch after this evaluation. */
  int observe(int batchSize, double trainingLoss, SplitMetrics validation, SplitMetrics test) {
    if (increases >= trainer.increaseBatchSizeOnPlateau() || batchSize >= maxBatchSize) return batchSize;
    String split = trainer.increaseBatchSizeEvalSplit();
    String metric = trainer.increaseBatchSizeEvalMetric();
    double value = split.equals("training") ? trainingLoss
        : (split.equals("validation") ? validation : test).metric(trainer.validationField(), metric);
    if (Double.isNaN(value)) return batchSize;
    boolean improved = Double.isNaN(best) || (OutputMetrics.lowerIsBetter(metric) ? value < best : value > best);
    if (improved) {
      best = value;
      sinceImprovement = 0;
      return batchSize;
    }
    if (++sinceImprovement < trainer.increaseBatchSizeOnPlateauPatience()) return batchSize;
    int next = (int) Math.min(maxBatchSize, Math.floor(trainer.increaseBatchSizeOnPlateauRate() * batchSize));
    increases++;
    sinceImprovement = 0;
    Log.info("increase_batch_size_on_plateau: " + split + " " + metric + " stopped improving; batch size " + batchSize
        + " -> " + next + " from the next epoch (increase " + increases + ")");
    return next;
  }
}
