package dev.fidelio.api;

import dev.fidelio.config.BinaryInputFeature;
import dev.fidelio.config.CategoryInputFeature;
import dev.fidelio.config.ImageInputFeature;
import dev.fidelio.config.InputFeature;
import dev.fidelio.config.NumberInputFeature;
import dev.fidelio.config.TextInputFeature;
import dev.fidelio.data.Table;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * In-memory rows (one map per row, keyed by input feature name or column) as the {@link Table} the
 * preprocessor reads, after checking that every input feature is present with a value of a type it
 * can take. The checks are cheap, so a server runs them before queueing a request.
 */
final class RowTable {
  private RowTable() {}

  static Table of(List<? extends Map<String, ?>> rows, List<InputFeature> inputs, String source) {
    List<String> names = new ArrayList<>();
    List<List<String>> columns = new ArrayList<>();
    for (InputFeature input : inputs) {
      names.add(input.column());
      List<String> cells = new ArrayList<>(rows.size());
      for (int r = 0; r < rows.size(); r++) cells.add(cell(input, rows.get(r), r, rows.size()));
      columns.add(cells);
    }
    return new Table(source, names, columns);
  }

  /** The value as a table cell (null: missing, preprocessing applies missing_value_strategy). */
  private static String cell(InputFeature input, Map<String, ?> row, int r, int rows) {
    String where = "input feature '" + input.name() + "'" + (rows > 1 ? " (row " + r + ")" : "");
    if (row == null) throw new InvalidInputException(null, "row " + r + " is null");
    Object value;
    if (row.containsKey(input.name())) value = row.get(input.name());
    else if (row.containsKey(input.column())) value = row.get(input.column());
    else {
      throw new InvalidInputException(input.name(), where + " is missing; every input feature must be given: "
          + names(row.keySet()));
    }
    if (value == null) return null;
    return switch (input) {
      // Ludwig casts text columns to str, so numbers and booleans are text too.
      case TextInputFeature t -> scalar(value, input, where, "a string");
      case NumberInputFeature n -> scalar(value, input, where, "a number");
      case CategoryInputFeature c -> scalar(value, input, where, "a string or number");
      case BinaryInputFeature b -> scalar(value, input, where, "a boolean, string or number");
      // An image is a file path (an uploaded file arrives as one) or, as in a dataset, its path text.
      case ImageInputFeature i -> value instanceof Path p ? p.toString()
          : scalar(value, input, where, "a file path or upload");
    };
  }

  private static String scalar(Object value, InputFeature input, String where, String expected) {
    if (value instanceof String || value instanceof Number || value instanceof Boolean) return value.toString();
    throw new InvalidInputException(input.name(), where + " must be " + expected + ", got " + describe(value));
  }

  private static String describe(Object value) {
    return switch (value) {
      case Map<?, ?> m -> "an object";
      case List<?> l -> "a list";
      case Path p -> "a file (" + p.getFileName() + ")";
      case byte[] b -> "a file";
      default -> "a " + value.getClass().getSimpleName();
    };
  }

  private static String names(java.util.Set<String> keys) {
    return keys.isEmpty() ? "the row has no fields" : "the row has " + String.join(", ", keys);
  }
}
