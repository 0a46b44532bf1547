package dev.fidelio.train;

import dev.fidelio.metrics.SplitMetrics;

/**
 * What the training loop tells an observer (each step, each evaluation, each new best model) and
 * asks it (whether to stop now). Called on the training thread, between optimizer steps: a slow
 * hook slows training; an exception from a hook ends the run.
 */
public interface TrainingHooks {
  /** Observes nothing and never cancels: the CLI's runs. */
  TrainingHooks NONE = new TrainingHooks() {};

  /** After optimizer step {@code step} (1-based) of {@code epoch} (1-based): its learning rate and mean loss. */
  default void step(int epoch, long step, double learningRate, double loss) {}

  /** After an evaluation: the training loss since the last one and each split's metrics by output feature. */
  default void evaluation(int epoch, long step, double trainingLoss, SplitMetrics validation, SplitMetrics test) {}

  /** The weights were saved as the best model so far: metric (of validation_field) reached value. */
  default void bestModel(int epoch, long step, String metric, double value) {}

  /**
   * Asked after every optimizer step: true stops the run there with a checkpoint that
   * {@code --model_resume_path} continues exactly ({@link RunCancelledException}).
   */
  default boolean cancelled() {
    return false;
  }
}
