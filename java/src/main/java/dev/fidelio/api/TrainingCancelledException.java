package dev.fidelio.api;

import java.io.Serial;
import java.nio.file.Path;

/**
 * Training stopped because its {@link Cancellation} was cancelled. {@link #resultsDirectory} holds a
 * checkpoint at {@link #step}; pass it to {@link TrainOptions#resumeFrom} to continue the run.
 */
public final class TrainingCancelledException extends RuntimeException {
  @Serial
  private static final long serialVersionUID = 1L;

  private final transient Path resultsDirectory;
  private final long step;

  TrainingCancelledException(Path resultsDirectory, long step, Throwable cause) {
    super("training cancelled after step " + step + "; resume it with TrainOptions.resumeFrom(" + resultsDirectory
        + ")", cause);
    this.resultsDirectory = resultsDirectory;
    this.step = step;
  }

  /** The run's results folder, holding the checkpoint to resume from. */
  public Path resultsDirectory() {
    return resultsDirectory;
  }

  /** The optimizer steps done before the run stopped; the checkpoint is at this step. */
  public long step() {
    return step;
  }
}
