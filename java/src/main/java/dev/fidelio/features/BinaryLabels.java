package dev.fidelio.features;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * How a binary column's strings map to true/false, fitted on the training split. Ludwig's rule:
 * the usual boolean spellings (true/false, yes/no, 1/0, ...) map as they say; a column with two
 * other values maps {@code fallbackTrueLabel} (or else the alphabetically second value) to true.
 *
 * @param falseLabel the string reported for false predictions
 * @param trueLabel the string reported for true predictions
 * @param standard whether the column uses the usual boolean spellings
 */
public record BinaryLabels(String falseLabel, String trueLabel, boolean standard) {
  private static final Set<String> TRUE = Set.of("true", "t", "yes", "y", "1", "1.0", "on");
  private static final Set<String> FALSE = Set.of("false", "f", "no", "n", "0", "0.0", "off");

  public static BinaryLabels fit(Iterable<String> trainingValues, String fallbackTrueLabel, String feature) {
    Set<String> distinct = new TreeSet<>();
    for (String v : trainingValues) {
      if (v != null) distinct.add(v.strip());
    }
    if (distinct.stream().allMatch(v -> TRUE.contains(lower(v)) || FALSE.contains(lower(v)))) {
      String t = distinct.stream().filter(v -> TRUE.contains(lower(v))).findFirst().orElse("true");
      String f = distinct.stream().filter(v -> FALSE.contains(lower(v))).findFirst().orElse("false");
      return new BinaryLabels(f, t, true);
    }
    if (distinct.size() > 2) {
      throw new FeatureException("binary feature '" + feature + "' has " + distinct.size() + " distinct values in the"
          + " training split (" + preview(distinct) + "); a binary feature needs two: use type: category instead");
    }
    String trueLabel = fallbackTrueLabel != null ? fallbackTrueLabel : distinct.stream().skip(1).findFirst()
        .orElseThrow(() -> new FeatureException("binary feature '" + feature + "' has only one value in the training"
            + " split (" + preview(distinct) + "); name the other with preprocessing.fallback_true_label"));
    if (!distinct.contains(trueLabel) && distinct.size() == 2) {
      throw new FeatureException("binary feature '" + feature + "': fallback_true_label '" + trueLabel
          + "' is not one of its values " + distinct);
    }
    String falseLabel = distinct.stream().filter(v -> !v.equals(trueLabel)).findFirst().orElse("not " + trueLabel);
    return new BinaryLabels(falseLabel, trueLabel, false);
  }

  /** true/false for value, or null when it is neither label (unseen or missing). */
  public Boolean parse(String value) {
    if (value == null) return null;
    String v = value.strip();
    if (standard) {
      if (TRUE.contains(lower(v))) return true;
      if (FALSE.contains(lower(v))) return false;
      return null;
    }
    if (v.equals(trueLabel)) return true;
    if (v.equals(falseLabel)) return false;
    return null;
  }

  public String label(boolean value) {
    return value ? trueLabel : falseLabel;
  }

  private static String lower(String v) {
    return v.toLowerCase(Locale.ROOT);
  }

  private static String preview(Set<String> values) {
    return values.stream().limit(5).toList() + (values.size() > 5 ? ", ..." : "");
  }
}
