package dev.fidelio.features;

import dev.fidelio.config.BinaryInputFeature;
import dev.fidelio.config.CategoryInputFeature;
import dev.fidelio.config.InputFeature;
import dev.fidelio.config.MissingValueStrategy;
import dev.fidelio.config.NumberInputFeature;
import dev.fidelio.config.NumberPreprocessing.Normalization;
import dev.fidelio.data.Table;
import dev.fidelio.runtime.DType;
import dev.fidelio.util.Log;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoublePredicate;
import java.util.function.IntPredicate;

/**
 * Number, category and binary input features: {@link #fit} learns their statistics, vocabularies
 * and labels from the training rows only (into {@link TrainingSetMetadata}); {@link #transform}
 * applies them to any rows, with the configured missing-value strategy. Values a model never saw
 * are handled as Ludwig does: unseen categories become {@code <UNK>} (index 0).
 */
final class TabularInputs {
  static final String UNKNOWN = "<UNK>";

  private TabularInputs() {}

  static void fit(InputFeature input, Table table, int[] trainingRows, TrainingSetMetadata metadata) {
    List<String> column = table.require(input.column(), table.source() + " (input feature '" + input.name() + "')");
    List<String> present = new ArrayList<>();
    for (int r : trainingRows) {
      if (!missing(column.get(r))) present.add(column.get(r).strip());
    }
    if (present.isEmpty()) {
      Log.warn("input feature '" + input.name() + "': column '" + input.column() + "' is empty in every training row;"
          + " the feature carries no information");
    }
    switch (input) {
      case NumberInputFeature n -> fitNumber(n, table, trainingRows, present, metadata);
      case CategoryInputFeature c -> {
        List<String> values = present.stream().map(v -> c.preprocessing().lowercase() ? lower(v) : v).toList();
        CategoryVocabulary seen = CategoryVocabulary.fit(values, c.preprocessing().mostCommon());
        List<String> classes = new ArrayList<>(List.of(UNKNOWN));
        seen.idx2str().stream().filter(v -> !v.equals(UNKNOWN)).forEach(classes::add);
        metadata.category().put(c.name(), new CategoryVocabulary(classes));
        String fill = switch (c.preprocessing().missingValueStrategy()) {
          case FILL_WITH_MODE -> seen.size() > 0 ? seen.idx2str().get(0) : noValues(input, "fill_with_mode");
          default -> c.preprocessing().fillValue();
        };
        metadata.fill().put(c.name(), fill);
      }
      case BinaryInputFeature b -> {
        BinaryLabels labels = BinaryLabels.fit(present, b.preprocessing().fallbackTrueLabel(), b.name());
        metadata.binary().put(b.name(), labels);
        String fill = switch (b.preprocessing().missingValueStrategy()) {
          case FILL_WITH_TRUE -> labels.trueLabel();
          case FILL_WITH_MODE -> present.isEmpty() ? noValues(input, "fill_with_mode") : mostFrequent(present);
          default -> labels.falseLabel();
        };
        metadata.fill().put(b.name(), fill);
      }
      default -> throw new IllegalArgumentException("not a tabular input: " + input.name());
    }
  }

  private static void fitNumber(NumberInputFeature n, Table table, int[] trainingRows, List<String> present,
                                TrainingSetMetadata metadata) {
    List<String> column = table.column(n.column());
    double[] values = new double[present.size()];
    int i = 0;
    for (int r : trainingRows) {
      if (!missing(column.get(r))) values[i++] = parse(n, column.get(r), r);
    }
    NumberStats stats = NumberStats.fit(values);
    Normalization normalization = n.preprocessing().normalization();
    if (stats.count() > 0 && stats.constantFor(normalization)) {
      Log.warn("input feature '" + n.name() + "': every training value is " + stats.min() + "; "
          + normalization.yamlName() + " normalization maps it to a constant");
    }
    metadata.number().put(n.name(), stats);
    double fill = switch (n.preprocessing().missingValueStrategy()) {
      case FILL_WITH_MEAN -> stats.count() > 0 ? stats.mean() : Double.parseDouble(noValues(n, "fill_with_mean"));
      case FILL_WITH_MODE -> stats.count() > 0 ? stats.mode() : Double.parseDouble(noValues(n, "fill_with_mode"));
      default -> n.preprocessing().fillValue();
    };
    metadata.fill().put(n.name(), Double.toString(fill));
  }

  /** The feature's column for rows (in order); rows dropped by drop_row get keep[i] = false. */
  static InputColumn transform(InputFeature input, Table table, int[] rows, boolean[] keep, String split,
                               TrainingSetMetadata metadata) {
    List<String> column = table.require(input.column(), table.source() + " (input feature '" + input.name() + "')");
    MissingValueStrategy strategy = strategy(input);
    String fill = metadata.fill().get(input.name());
    if (fill == null) {
      throw new FeatureException("the model's training set metadata has no fill value for input feature '"
          + input.name() + "': the model folder does not match its config");
    }
    String[] cells = new String[rows.length];
    int missing = 0;
    for (int i = 0; i < rows.length; i++) {
      String v = column.get(rows[i]);
      if (missing(v)) {
        missing++;
        v = switch (strategy) {
          case DROP_ROW -> null;
          case FFILL -> neighbour(input, column, rows[i], -1, r -> true, "missing_value_strategy");
          case BFILL -> neighbour(input, column, rows[i], +1, r -> true, "missing_value_strategy");
          default -> fill;
        };
        if (v == null) keep[i] = false;
      }
      cells[i] = v == null ? null : v.strip();
    }
    if (missing > 0) {
      Log.warn(split + " split: input feature '" + input.name() + "' is missing in " + missing + " rows: "
          + (strategy == MissingValueStrategy.DROP_ROW ? "rows dropped" : strategy.yamlName()
          + (strategy == MissingValueStrategy.FFILL || strategy == MissingValueStrategy.BFILL ? "" : " (" + fill + ")")));
    }
    return switch (input) {
      case NumberInputFeature n -> {
        NumberStats stats = metadata.number(n.name());
        if (n.preprocessing().outlierStrategy() != null) replaceOutliers(n, stats, column, rows, cells, keep, split);
        float[] values = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
          if (cells[i] == null) continue;
          double normalized = stats.normalize(parse(n, cells[i], rows[i]), n.preprocessing().normalization());
          if (!Double.isFinite(normalized)) {
            Normalization norm = n.preprocessing().normalization();
            throw new FeatureException("input feature '" + n.name() + "': row " + (rows[i] + 1) + " value " + cells[i]
                + " has no finite " + norm.yamlName() + " normalization" + (norm == Normalization.LOG1P
                    ? " (log1p needs values > -1)"
                    : " (the training split's statistics " + stats.describe() + " overflow: values near 1.8e308, the"
                    + " largest double, cannot be averaged; scale the column down or set normalization: null)"));
          }
          values[i] = (float) normalized;
        }
        yield InputColumn.Dense.of(values);
      }
      case CategoryInputFeature c -> {
        CategoryVocabulary vocabulary = metadata.category(c.name());
        long[] ids = new long[rows.length];
        Map<String, Integer> unseen = new LinkedHashMap<>();
        for (int i = 0; i < rows.length; i++) {
          if (cells[i] == null) continue;
          String v = c.preprocessing().lowercase() ? lower(cells[i]) : cells[i];
          int id = vocabulary.index(v);
          if (id < 0 && !v.equals(UNKNOWN)) unseen.merge(v, 1, Integer::sum);
          ids[i] = Math.max(id, 0);
        }
        if (!unseen.isEmpty()) {
          Log.warn(split + " split: input feature '" + c.name() + "' has " + unseen.values().stream()
              .mapToInt(Integer::intValue).sum() + " values not in the training vocabulary (mapped to " + UNKNOWN
              + "), e.g. " + unseen.keySet().stream().limit(5).toList());
        }
        yield classIds(ids);
      }
      case BinaryInputFeature b -> {
        BinaryLabels labels = metadata.binary(b.name());
        float[] values = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
          if (cells[i] == null) continue;
          Boolean parsed = labels.parse(cells[i]);
          if (parsed == null) {
            throw new FeatureException("input feature '" + b.name() + "': row " + (rows[i] + 1) + " of column '"
                + b.column() + "' is '" + cells[i] + "', neither '" + labels.falseLabel() + "' nor '"
                + labels.trueLabel() + "' (the labels of the training split)");
          }
          values[i] = parsed ? 1f : 0f;
        }
        yield InputColumn.Dense.of(values);
      }
      default -> throw new IllegalArgumentException("not a tabular input: " + input.name());
    };
  }

  /**
   * Ludwig's outlier_strategy: a value further than outlier_threshold training standard deviations
   * from the training mean is replaced as the strategy says (or its row dropped), like a missing one.
   */
  private static void replaceOutliers(NumberInputFeature n, NumberStats stats, List<String> column, int[] rows,
                                      String[] cells, boolean[] keep, String split) {
    double limit = n.preprocessing().outlierThreshold() * stats.std();
    DoublePredicate outlier = v -> Math.abs(v - stats.mean()) > limit;
    MissingValueStrategy strategy = n.preprocessing().outlierStrategy();
    int replaced = 0;
    for (int i = 0; i < rows.length; i++) {
      if (cells[i] == null || !outlier.test(parse(n, cells[i], rows[i]))) continue;
      replaced++;
      cells[i] = switch (strategy) {
        case DROP_ROW -> null;
        case FFILL, BFILL -> neighbour(n, column, rows[i], strategy == MissingValueStrategy.FFILL ? -1 : +1,
            r -> !outlier.test(parse(n, column.get(r), r)), "outlier_strategy").strip();
        case FILL_WITH_MEAN -> Double.toString(stats.mean());
        case FILL_WITH_MODE -> Double.toString(stats.mode());
        default -> Double.toString(n.preprocessing().fillValue());
      };
      if (cells[i] == null) keep[i] = false;
    }
    if (replaced > 0) {
      Log.warn(split + " split: input feature '" + n.name() + "' has " + replaced + " outliers (more than "
          + n.preprocessing().outlierThreshold() + " standard deviations from the training mean " + stats.mean()
          + "): " + (strategy == MissingValueStrategy.DROP_ROW ? "rows dropped" : strategy.yamlName()));
    }
  }

  /** int64 class ids, one per row (the native category input's tensor [B]). */
  static InputColumn.Dense classIds(long[] ids) {
    return new InputColumn.Dense(DType.INT64, new long[0], MemorySegment.ofArray(ids));
  }

  private static MissingValueStrategy strategy(InputFeature input) {
    return switch (input) {
      case NumberInputFeature n -> n.preprocessing().missingValueStrategy();
      case CategoryInputFeature c -> c.preprocessing().missingValueStrategy();
      case BinaryInputFeature b -> b.preprocessing().missingValueStrategy();
      default -> throw new IllegalArgumentException("not a tabular input: " + input.name());
    };
  }

  /**
   * ffill / bfill: the nearest non-missing cell before (step -1) or after (+1) row, in table order,
   * whose row usable accepts.
   */
  private static String neighbour(InputFeature input, List<String> column, int row, int step,
                                  IntPredicate usable, String setting) {
    for (int r = row + step; r >= 0 && r < column.size(); r += step) {
      if (!missing(column.get(r)) && usable.test(r)) return column.get(r);
    }
    throw new FeatureException("input feature '" + input.name() + "': row " + (row + 1) + " has no usable value and"
        + " no row " + (step < 0 ? "before" : "after") + " it has one to " + (step < 0 ? "ffill" : "bfill")
        + " from; choose another " + setting);
  }

  private static double parse(NumberInputFeature n, String cell, int row) {
    try {
      double v = Double.parseDouble(cell.strip());
      if (Double.isFinite(v)) return v;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new FeatureException("input feature '" + n.name() + "': row " + (row + 1) + " of column '" + n.column()
        + "' is '" + cell + "', not a finite number");
  }

  private static String noValues(InputFeature input, String strategy) {
    throw new FeatureException("input feature '" + input.name() + "': missing_value_strategy " + strategy
        + " needs values, but column '" + input.column() + "' is empty in every training row; use fill_with_const");
  }

  private static String mostFrequent(List<String> values) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    values.forEach(v -> counts.merge(v, 1, Integer::sum));
    return counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
  }

  static boolean missing(String cell) {
    return cell == null || cell.isBlank();
  }

  private static String lower(String v) {
    return v.toLowerCase(Locale.ROOT);
  }
}
