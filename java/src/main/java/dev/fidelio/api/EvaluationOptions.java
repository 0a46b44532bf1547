package dev.fidelio.api;

import java.nio.file.Path;

/**
 * Where and how {@link Fidelio#evaluate} and {@link Fidelio#predict} work. Immutable; each
 * {@code with} method returns a copy.
 *
 * @param split the rows to use (default {@link Split#FULL})
 * @param outputDirectory where {@code predictions.csv} (and {@code test_statistics.json}) go; a file
 *     already there is kept and the new one gets a {@code _1}, {@code _2}, ... suffix (default {@code results})
 * @param batchSize rows per forward pass (default 128)
 */
public record EvaluationOptions(Split split, Path outputDirectory, int batchSize) {
  /** Checks the settings: none null, batchSize at least 1. */
  public EvaluationOptions {
    if (split == null) throw new IllegalArgumentException("split is null");
    if (outputDirectory == null) throw new IllegalArgumentException("outputDirectory is null");
    if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
  }

  /** The whole dataset, into {@code results}, 128 rows per forward pass. */
  public static EvaluationOptions defaults() {
    return new EvaluationOptions(Split.FULL, Path.of("results"), 128);
  }

  /** A copy with split set. */
  public EvaluationOptions split(Split value) {
    return new EvaluationOptions(value, outputDirectory, batchSize);
  }

  /** A copy with outputDirectory set. */
  public EvaluationOptions outputDirectory(Path value) {
    return new EvaluationOptions(split, value, batchSize);
  }

  /** A copy with batchSize set. */
  public EvaluationOptions batchSize(int value) {
    return new EvaluationOptions(split, outputDirectory, value);
  }
}
