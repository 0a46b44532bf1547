package dev.fidelio.train;

import java.nio.file.Path;

/**
 * A run stopped because its {@link TrainingHooks#cancelled} said so. The checkpoint at {@code step}
 * under {@code results} continues the run exactly (same weights as a run never stopped) when the
 * same config, data and seed are trained again with results as the resume folder.
 */
public final class RunCancelledException extends RuntimeException {
  private final transient Path results;
  private final long step;

  public RunCancelledException(Path results, long step) {
    super("training cancelled after step " + step + "; continue it from its checkpoint in " + results);
    this.results = results;
    this.step = step;
  }

  /** The results folder holding the checkpoint (the folder to resume from). */
  public Path results() {
    return results;
  }

  public long step() {
    return step;
  }
}
