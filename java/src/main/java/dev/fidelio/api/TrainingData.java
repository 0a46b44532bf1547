package dev.fidelio.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A dataset for training, evaluation or preprocessing: a file (CSV, TSV, JSON Lines, Parquet, by
 * extension), or rows held in memory, as a list of maps or as columns.
 *
 * <p>In-memory rows are read exactly as a CSV file holding them: every value becomes its text
 * ({@code String.valueOf}; doubles and floats in their shortest exact form), {@code null} is a
 * missing value, and so are pandas' NA spellings ({@code "NA"}, {@code "null"}, ...), as in a CSV
 * file. They are written once, content-addressed, as a CSV file under the run's cache or output
 * directory (see {@link TrainOptions#cacheDirectory}), so the same rows reuse the preprocessed store
 * as a file does and a run's description names the file it trained on. Image paths in in-memory rows
 * must be absolute. Instances are immutable snapshots: changing the given lists or maps afterwards
 * changes nothing here.
 */
public final class TrainingData {
  private final Path file;
  private final List<String> columns;
  private final List<List<String>> cells;  // by column; null is a missing value

  private TrainingData(Path file, List<String> columns, List<List<String>> cells) {
    this.file = file;
    this.columns = columns;
    this.cells = cells;
  }

  /** A dataset file; its format from the extension (.csv, .tsv, .jsonl, .parquet). */
  public static TrainingData file(Path file) {
    if (file == null) throw new IllegalArgumentException("the dataset file is null");
    return new TrainingData(file, null, null);
  }

  /**
   * Rows as maps from column name to value. The columns are the union of every row's keys, in the
   * order first seen; a key absent from a row is a missing value there.
   */
  public static TrainingData rows(List<? extends Map<String, ?>> rows) {
    Set<String> names = new LinkedHashSet<>();
    for (Map<String, ?> row : rows) names.addAll(row.keySet());
    Map<String, List<Object>> columns = new LinkedHashMap<>();
    for (String name : names) {
      List<Object> column = new ArrayList<>(rows.size());
      for (Map<String, ?> row : rows) column.add(row.get(name));
      columns.put(name, column);
    }
    return columns(columns);
  }

  /** Columns from name to values, all of one length; the map's iteration order is the column order. */
  public static TrainingData columns(Map<String, ? extends List<?>> columns) {
    if (columns.isEmpty()) throw new IllegalArgumentException("the dataset has no columns");
    List<String> names = new ArrayList<>(columns.keySet());
    List<List<String>> cells = new ArrayList<>();
    int rows = -1;
    for (String name : names) {
      if (name == null || name.isEmpty()) throw new IllegalArgumentException("a column name is null or empty");
      List<?> values = columns.get(name);
      if (rows >= 0 && values.size() != rows) {
        throw new IllegalArgumentException("column '" + name + "' has " + values.size() + " values, column '"
            + names.getFirst() + "' has " + rows + "; every column needs one value per row");
      }
      rows = values.size();
      List<String> text = new ArrayList<>(values.size());
      for (Object value : values) text.add(cell(value));
      cells.add(java.util.Collections.unmodifiableList(text));
    }
    if (rows == 0) throw new IllegalArgumentException("the dataset has no rows");
    return new TrainingData(null, List.copyOf(names), List.copyOf(cells));
  }

  /** The file named by {@link #file}, or null for rows in memory. */
  public Path path() {
    return file;
  }

  /** Rows in memory: the number of rows; -1 for a file (not read until a run needs it). */
  public int rowCount() {
    return cells == null ? -1 : cells.getFirst().size();
  }

  /** The file this dataset is, or the CSV holding its rows, written under folder when not there yet. */
  Path materialize(Path folder) {
    return file != null ? file : RowsCsv.write(folder, columns, cells);
  }

  private static String cell(Object value) {
    return switch (value) {
      case null -> null;
      case String s -> s;
      // The shortest text that reads back as the same value, as Double.toString writes it.
      case Double d -> Double.toString(d);
      case Float f -> Float.toString(f);
      case java.math.BigDecimal b -> b.toPlainString();
      default -> String.valueOf(value);
    };
  }

  @Override
  public String toString() {
    return file != null ? "TrainingData[" + file + "]" : "TrainingData[" + rowCount() + " rows x " + columns + "]";
  }
}
