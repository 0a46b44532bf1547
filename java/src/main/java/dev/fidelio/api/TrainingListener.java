package dev.fidelio.api;

/**
 * Progress of a training run. Every method is called on the thread running the training, between
 * optimizer steps, in order; implement the ones you need. A slow listener slows training; an
 * exception thrown by a listener ends the run with that exception (no checkpoint is written for it:
 * use a {@link Cancellation} to stop a run resumably).
 */
public interface TrainingListener {
  /** After each optimizer step. */
  default void onStep(Step step) {}

  /** After each evaluation (every {@code trainer.steps_per_checkpoint} steps, by default once an epoch). */
  default void onEvaluation(Evaluation evaluation) {}

  /** The weights were saved as the best model so far ({@code model/} of the results folder). */
  default void onBestModel(BestModel best) {}

  /**
   * One optimizer step.
   *
   * @param epoch 1-based epoch the step belongs to
   * @param step optimizer steps done in the run, this one included
   * @param learningRate the rate this step used
   * @param loss this step's mean training loss
   */
  record Step(int epoch, long step, double learningRate, double loss) {}

  /**
   * One evaluation.
   *
   * @param trainingLoss the mean training loss since the previous evaluation
   * @param validation the validation split's metrics (empty with skip_all_evaluation or no validation rows)
   * @param test the test split's metrics (likewise)
   */
  record Evaluation(int epoch, long step, double trainingLoss, Metrics validation, Metrics test) {}

  /**
   * A new best model.
   *
   * @param metric the metric that chose it (trainer.validation_metric of trainer.validation_field;
   *     the training loss without validation rows)
   * @param value its value
   */
  record BestModel(int epoch, long step, String metric, double value) {}
}
