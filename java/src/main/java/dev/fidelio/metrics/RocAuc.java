package dev.fidelio.metrics;

import java.util.Arrays;
import java.util.Comparator;

/** Area under the ROC curve by the rank statistic (Mann-Whitney U), ties counted as one half. */
public final class RocAuc {
  private RocAuc() {}

  /** scores: probability of the positive class; labels: true for positive. NaN when one class is absent. */
  public static double compute(double[] scores, boolean[] labels) {
    int n = scores.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) order[i] = i;
    Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
    double positiveRankSum = 0;
    long positives = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) j++;
      double averageRank = (i + j) / 2.0 + 1; // ranks are 1-based; tied scores share their mean rank
      for (int k = i; k <= j; k++) {
        if (labels[order[k]]) {
          positiveRankSum += averageRank;
          positives++;
        }
      }
      i = j + 1;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) return Double.NaN;
    return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }
}
