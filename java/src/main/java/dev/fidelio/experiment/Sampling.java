package dev.fidelio.experiment;

import dev.fidelio.config.Preprocessing;
import dev.fidelio.data.Table;
import dev.fidelio.util.Log;
import java.util.Arrays;
import java.util.Random;

/** Ludwig's preprocessing.sample_ratio / sample_size: a seeded random subset of rows, in their original order. */
final class Sampling {
  private Sampling() {}

  static Table apply(Table table, Preprocessing preprocessing, long seed) {
    int n = table.rowCount();
    int keep = (int) Math.round(n * preprocessing.sampleRatio());
    if (preprocessing.sampleSize() != null) keep = Math.min(keep, preprocessing.sampleSize());
    if (keep >= n) return table;
    int[] order = new int[n];
    for (int i = 0; i < n; i++) order[i] = i;
    Random random = new Random(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    int[] rows = Arrays.copyOf(order, keep);
    Arrays.sort(rows);
    Log.info("sampled " + keep + " of " + n + " rows (preprocessing.sample_ratio / sample_size)");
    return table.rows(rows);
  }
}
