package dev.fidelio.data;

import java.util.List;

/**
 * Ludwig's {@code preprocessing.split}: how rows go to training, validation and test. The seed is
 * not here because Ludwig takes it from the top-level {@code random_seed} (default 42).
 */
public sealed interface SplitConfig {
  List<Double> DEFAULT_PROBABILITIES = List.of(0.7, 0.1, 0.2);

  /** {@code type: random}: each row lands in a split with the given probabilities. */
  record Random(List<Double> probabilities) implements SplitConfig {
    public Random {
      probabilities = checkProbabilities(probabilities);
    }

    public Random() {
      this(DEFAULT_PROBABILITIES);
    }
  }

  /** {@code type: fixed}: a column says the split, as 0/1/2 or train/validation/test. */
  record Fixed(String column) implements SplitConfig {
    public Fixed {
      column = column == null ? "split" : column;
    }

    public Fixed() {
      this("split");
    }
  }

  /** {@code type: stratify}: random, but within each class of {@code column}, so class shares hold in every split. */
  record Stratify(String column, List<Double> probabilities) implements SplitConfig {
    public Stratify {
      if (column == null || column.isBlank()) {
        throw new DataException("preprocessing.split.column is required for type 'stratify' (the column whose classes"
            + " keep their proportions, e.g. the output feature's column)");
      }
      probabilities = checkProbabilities(probabilities);
    }

    public Stratify(String column) {
      this(column, DEFAULT_PROBABILITIES);
    }
  }

  private static List<Double> checkProbabilities(List<Double> p) {
    if (p == null) {
      return DEFAULT_PROBABILITIES;
    }
    String hint = "; expected three non-negative numbers for train, validation, test that sum to 1, e.g. [0.7, 0.1, 0.2]";
    if (p.size() != 3 || p.stream().anyMatch(java.util.Objects::isNull)) { // List.of(..).contains(null) throws
      throw new DataException("preprocessing.split.probabilities is " + p + hint);
    }
    double sum = 0;
    for (double x : p) {
      if (!(x >= 0 && x <= 1)) {
        throw new DataException("preprocessing.split.probabilities is " + p + hint);
      }
      sum += x;
    }
    if (Math.abs(sum - 1) > 1e-6) {
      throw new DataException("preprocessing.split.probabilities " + p + " sum to " + sum + hint);
    }
    return List.copyOf(p);
  }
}
