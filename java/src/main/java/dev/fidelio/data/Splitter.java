package dev.fidelio.data;

import dev.fidelio.config.Split;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Assigns every row of a table to train (0), validation (1) or test (2), as a {@link Split} (preprocessing.split) says. */
public final class Splitter {
  /** Ludwig's default {@code random_seed}. */
  public static final long DEFAULT_SEED = 42;
  private static final System.Logger LOG = System.getLogger(Splitter.class.getName());
  private static final String[] NAMES = {"training", "validation", "test"};

  private Splitter() {}

  public static SplitIndices split(Table table, Split config) {
    return split(table, config, DEFAULT_SEED);
  }

  public static SplitIndices split(Table table, Split config, long seed) {
    int[] assignment = switch (config) {
      case Split.Random r -> random(table.rowCount(), r.probabilities(), seed);
      case Split.Fixed f -> fixed(table, f.column());
      case Split.Stratify s -> stratify(table, s, seed);
      case Split.Datetime d -> DatetimeSplit.assign(table, d);
      case Split.Hash h -> HashSplit.assign(table, h);
    };
    return collect(table, config, assignment);
  }

  /**
   * A seeded shuffle cut at the requested shares: exact proportions (so even a small dataset gets
   * its validation rows) and the same answer on every run, since it never depends on threads.
   * java.util.Random because its algorithm is fixed by its specification, so seeds mean the same
   * on every JVM.
   */
  private static int[] random(int n, List<Double> p, long seed) {
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = i;
    }
    int[] assignment = new int[n];
    assignShuffled(rows, p, new java.util.Random(seed), assignment);
    return assignment;
  }

  /** Shuffles {@code rows} and assigns the first share to train, the next to validation, the rest to test. */
  private static void assignShuffled(int[] rows, List<Double> p, java.util.Random rng, int[] assignment) {
    for (int i = rows.length - 1; i > 0; i--) { // Fisher-Yates
      int j = rng.nextInt(i + 1);
      int t = rows[i];
      rows[i] = rows[j];
      rows[j] = t;
    }
    int trainEnd = (int) Math.round(p.get(0) * rows.length);
    int validationEnd = (int) Math.round((p.get(0) + p.get(1)) * rows.length);
    for (int i = 0; i < rows.length; i++) {
      assignment[rows[i]] = i < trainEnd ? 0 : i < validationEnd ? 1 : 2;
    }
  }

  private static int[] fixed(Table table, String column) {
    List<String> values = table.require(column, table.source() + " (preprocessing.split.column for type 'fixed')");
    int[] assignment = new int[values.size()];
    for (int r = 0; r < assignment.length; r++) {
      assignment[r] = parseSplit(values.get(r), r, column, table.source());
    }
    return assignment;
  }

  private static int parseSplit(String v, int row, String column, String source) {
    String s = v == null ? "" : v.strip().toLowerCase(Locale.ROOT);
    switch (s) {
      case "0", "0.0", "train", "training" -> { return 0; }
      case "1", "1.0", "validation", "val", "valid" -> { return 1; }
      case "2", "2.0", "test" -> { return 2; }
      default -> throw new DataException(source + ": row " + (row + 1) + " (1-based, header excluded) has "
          + (v == null ? "no value" : "'" + v + "'") + " in split column '" + column
          + "'; expected 0, 1, 2 or train, validation, test");
    }
  }

  /** Each class (nulls are a class of their own) is shuffled and cut separately, classes in first-seen order. */
  private static int[] stratify(Table table, Split.Stratify s, long seed) {
    List<String> values = table.require(s.column(), table.source() + " (preprocessing.split.column for type 'stratify')");
    Map<String, List<Integer>> byClass = new LinkedHashMap<>();
    for (int r = 0; r < values.size(); r++) {
      byClass.computeIfAbsent(values.get(r), k -> new ArrayList<>()).add(r);
    }
    int[] assignment = new int[values.size()];
    java.util.Random rng = new java.util.Random(seed);
    for (List<Integer> rows : byClass.values()) {
      assignShuffled(rows.stream().mapToInt(Integer::intValue).toArray(), s.probabilities(), rng, assignment);
    }
    return assignment;
  }

  private static SplitIndices collect(Table table, Split config, int[] assignment) {
    int[] counts = new int[3];
    for (int a : assignment) {
      counts[a]++;
    }
    int[][] splits = {new int[counts[0]], new int[counts[1]], new int[counts[2]]};
    int[] fill = new int[3];
    for (int r = 0; r < assignment.length; r++) {
      splits[assignment[r]][fill[assignment[r]]++] = r;
    }
    if (counts[0] == 0) {
      throw new DataException(table.source() + ": the training split is empty (" + table.rowCount() + " rows, "
          + "split " + config + "); give training a larger share or add rows");
    }
    List<String> warnings = new ArrayList<>();
    for (int k = 1; k < 3; k++) {
      if (counts[k] == 0) {
        String w = table.source() + ": the " + NAMES[k] + " split is empty (" + table.rowCount() + " rows, split "
            + config + "); metrics on it will be missing";
        LOG.log(Level.WARNING, w);
        warnings.add(w);
      }
    }
    return new SplitIndices(splits[0], splits[1], splits[2], warnings);
  }

  /** For messages and logs: "train 700, validation 100, test 200". */
  public static String describe(SplitIndices s) {
    return "train " + s.train().length + ", validation " + s.validation().length + ", test " + s.test().length
        + (s.warnings().isEmpty() ? "" : " " + Arrays.toString(s.warnings().toArray()));
  }
}
