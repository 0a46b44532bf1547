package dev.fidelio.data;

import java.util.List;

/**
 * The rows of each split, ascending (row order is kept; shuffling batches is the trainer's job),
 * and any warnings (an empty validation or test split) for the caller to show.
 */
public record SplitIndices(int[] train, int[] validation, int[] test, List<String> warnings) {
  public SplitIndices {
    warnings = List.copyOf(warnings);
  }
}
