package dev.fidelio.api;

/**
 * Stops a training run from another thread. The run checks it after every optimizer step; once
 * cancelled it writes a checkpoint where it stands (mid-epoch too) and throws
 * {@link TrainingCancelledException}; training again with {@link TrainOptions#resumeFrom} set to the
 * exception's results folder ends with the same weights as a run never cancelled (CPU, same config,
 * data and seed). Thread-safe; one cancellation may serve several runs (cancelling stops them all).
 */
public final class Cancellation {
  private volatile boolean cancelled;

  /** A cancellation not yet cancelled. */
  public Cancellation() {}

  /** Asks every run using this to stop after its current optimizer step. Idempotent. */
  public void cancel() {
    cancelled = true;
  }

  /** Whether {@link #cancel} was called. */
  public boolean isCancelled() {
    return cancelled;
  }
}
