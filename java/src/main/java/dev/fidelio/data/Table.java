package dev.fidelio.data;

import dev.fidelio.config.DidYouMean;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A dataset in memory, column by column: names in file order, every cell a string or null.
 * Cells stay text because parsing numbers, dates or tokens is each feature's own business
 * (Ludwig's preprocessing does the same per feature type). Immutable.
 */
public final class Table {
  private final String source;
  private final List<String> names;
  private final List<List<String>> columns;
  private final Map<String, Integer> index = new HashMap<>();
  private final int rows;

  /** Columns must all have the same length and the names must be unique. */
  public Table(String source, List<String> names, List<List<String>> columns) {
    if (names.size() != columns.size()) {
      throw new IllegalArgumentException(names.size() + " names for " + columns.size() + " columns");
    }
    this.source = source;
    this.names = List.copyOf(names);
    List<List<String>> copies = new ArrayList<>(columns.size());
    for (int c = 0; c < names.size(); c++) {
      if (index.putIfAbsent(names.get(c), c) != null) {
        throw new DataException(source + ": duplicate column name '" + names.get(c) + "'");
      }
      // Collections.unmodifiableList, not List.copyOf: cells may be null.
      copies.add(Collections.unmodifiableList(new ArrayList<>(columns.get(c))));
    }
    this.columns = List.copyOf(copies);
    this.rows = columns.isEmpty() ? 0 : columns.get(0).size();
    for (int c = 0; c < columns.size(); c++) {
      if (columns.get(c).size() != rows) {
        throw new IllegalArgumentException("column '" + names.get(c) + "' has " + columns.get(c).size()
            + " cells, column '" + names.get(0) + "' has " + rows);
      }
    }
  }

  /** Where the table came from (a file path), for messages. */
  public String source() {
    return source;
  }

  public List<String> columnNames() {
    return names;
  }

  public int columnCount() {
    return names.size();
  }

  public int rowCount() {
    return rows;
  }

  public boolean hasColumn(String name) {
    return index.containsKey(name);
  }

  /** The column's cells (nulls included); fails like {@link #require(String, String)} when absent. */
  public List<String> column(String name) {
    return require(name, source);
  }

  /**
   * The column's cells, or an error that teaches: "column 'lable' not found in data.csv;
   * available: text, label; did you mean 'label'?". {@code where} names the file or config path.
   */
  public List<String> require(String column, String where) {
    Integer c = index.get(column);
    if (c != null) {
      return columns.get(c);
    }
    StringBuilder m = new StringBuilder("column '").append(column).append("' not found in ")
        .append(where == null ? source : where).append("; available: ").append(String.join(", ", names));
    DidYouMean.closest(column, names).ifPresent(s -> m.append("; did you mean '").append(s).append("'?"));
    throw new DataException(m.toString());
  }

  public String cell(int row, String column) {
    return column(column).get(row);
  }

  /** A new table holding the given rows, in the given order (e.g. one split). */
  public Table rows(int[] rowIndices) {
    List<List<String>> picked = new ArrayList<>(columns.size());
    for (List<String> col : columns) {
      List<String> out = new ArrayList<>(rowIndices.length);
      for (int r : rowIndices) {
        out.add(col.get(r));
      }
      picked.add(out);
    }
    return new Table(source, names, picked);
  }

  @Override
  public String toString() {
    return "Table[" + source + ": " + rows + " rows x " + names + "]";
  }
}
