package dev.fidelio.features;

import dev.fidelio.config.NumberPreprocessing.Normalization;
import java.util.Arrays;

/**
 * A number column's statistics over the training split (non-missing values only), saved with the
 * model so prediction normalises exactly as training did. Ludwig's conventions: zscore uses the
 * sample standard deviation, iq the median and the interquartile range of linearly interpolated
 * quartiles (pandas' quantile). A zero spread (a constant column) divides by 1 instead: the
 * feature then carries no information, which preprocessing logs.
 */
public record NumberStats(long count, double mean, double std, double min, double max, double q1, double median,
                          double q3, double mode) {

  public static NumberStats fit(double[] values) {
    if (values.length == 0) return new NumberStats(0, 0, 0, 0, 0, 0, 0, 0, 0);
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double mean = 0;
    for (double v : sorted) mean += v;
    mean /= sorted.length;
    double ss = 0;
    for (double v : sorted) ss += (v - mean) * (v - mean);
    double std = sorted.length > 1 ? Math.sqrt(ss / (sorted.length - 1)) : 0;
    return new NumberStats(sorted.length, mean, std, sorted[0], sorted[sorted.length - 1], quantile(sorted, 0.25),
        quantile(sorted, 0.5), quantile(sorted, 0.75), mode(sorted));
  }

  /** The normalised value; null normalization keeps it raw. */
  public double normalize(double value, Normalization normalization) {
    if (normalization == null) return value;
    return normalization == Normalization.LOG1P ? Math.log1p(value) : (value - shift(normalization)) / scale(normalization);
  }

  /** The inverse of {@link #normalize}. */
  public double denormalize(double value, Normalization normalization) {
    if (normalization == null) return value;
    return normalization == Normalization.LOG1P ? Math.expm1(value) : value * scale(normalization) + shift(normalization);
  }

  /** zscore, minmax and iq normalise as (value - shift) / scale; log1p has neither (0 and 1). */
  public double shift(Normalization normalization) {
    return switch (normalization) {
      case ZSCORE -> mean;
      case MINMAX -> min;
      case IQ -> median;
      case LOG1P -> 0;
    };
  }

  /** See {@link #shift}. */
  public double scale(Normalization normalization) {
    return switch (normalization) {
      case ZSCORE -> nonZero(std);
      case MINMAX -> nonZero(max - min);
      case IQ -> nonZero(q3 - q1);
      case LOG1P -> 1;
    };
  }

  /** The statistics normalizations use, for error texts. */
  public String describe() {
    return "(mean " + mean + ", std " + std + ", min " + min + ", max " + max + ", q1 " + q1 + ", q3 " + q3 + ")";
  }

  /** Whether normalization divides by a zero spread (all training values equal). */
  public boolean constantFor(Normalization normalization) {
    if (normalization == null) return false;
    return switch (normalization) {
      case ZSCORE -> std == 0;
      case MINMAX -> max == min;
      case IQ -> q3 == q1;
      case LOG1P -> false;
    };
  }

  private static double nonZero(double spread) {
    return spread == 0 || !Double.isFinite(spread) ? 1 : spread;
  }

  /** numpy's default ("linear") quantile of sorted values. */
  static double quantile(double[] sorted, double p) {
    double position = (sorted.length - 1) * p;
    int below = (int) Math.floor(position);
    int above = Math.min(below + 1, sorted.length - 1);
    return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
  }

  /** The most frequent value; ties go to the smallest (pandas' mode()[0]). */
  private static double mode(double[] sorted) {
    double best = sorted[0];
    int bestRun = 0;
    for (int i = 0; i < sorted.length; ) {
      int j = i;
      while (j < sorted.length && sorted[j] == sorted[i]) j++;
      if (j - i > bestRun) {
        bestRun = j - i;
        best = sorted[i];
      }
      i = j;
    }
    return best;
  }
}
