package dev.fidelio.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts of (true class, predicted class) and what derives from them: accuracy and per-class
 * precision, recall and F1, as in Ludwig's test statistics.
 */
public final class ConfusionMatrix {
  private final List<String> classes;
  private final long[][] counts;

  public ConfusionMatrix(List<String> classes) {
    this.classes = List.copyOf(classes);
    this.counts = new long[classes.size()][classes.size()];
  }

  public void add(int truth, int predicted) {
    counts[truth][predicted]++;
  }

  public long total() {
    long n = 0;
    for (long[] row : counts) for (long c : row) n += c;
    return n;
  }

  public double accuracy() {
    long correct = 0;
    for (int i = 0; i < counts.length; i++) correct += counts[i][i];
    long n = total();
    return n == 0 ? Double.NaN : (double) correct / n;
  }

  /** Per class: precision, recall, f1_score, support (zero divided by zero is reported as 0, as scikit-learn does). */
  public Map<String, Map<String, Double>> perClassStatistics() {
    Map<String, Map<String, Double>> stats = new LinkedHashMap<>();
    for (int c = 0; c < counts.length; c++) {
      long tp = counts[c][c], predicted = 0, actual = 0;
      for (int k = 0; k < counts.length; k++) {
        predicted += counts[k][c];
        actual += counts[c][k];
      }
      double precision = predicted == 0 ? 0 : (double) tp / predicted;
      double recall = actual == 0 ? 0 : (double) tp / actual;
      double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
      Map<String, Double> row = new LinkedHashMap<>();
      row.put("precision", precision);
      row.put("recall", recall);
      row.put("f1_score", f1);
      row.put("support", (double) actual);
      stats.put(classes.get(c), row);
    }
    return stats;
  }

  public List<String> classes() {
    return classes;
  }

  public List<List<Long>> rows() {
    List<List<Long>> rows = new ArrayList<>();
    for (long[] row : counts) {
      List<Long> r = new ArrayList<>();
      for (long c : row) r.add(c);
      rows.add(r);
    }
    return rows;
  }
}
