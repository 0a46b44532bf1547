package dev.fidelio.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Collects rows of a file that has a header (CSV, TSV) and checks its shape as they come. */
final class TableBuilder {
  private final String source;
  private final List<String> names;
  private final List<List<String>> columns = new ArrayList<>();

  TableBuilder(String source, List<String> header) {
    this.source = source;
    this.names = new ArrayList<>(header.size());
    Map<String, Integer> seen = new HashMap<>();
    for (int c = 0; c < header.size(); c++) {
      String name = header.get(c) == null ? "" : header.get(c).strip();
      // pandas writes its index under an empty header and reads it back as "Unnamed: N"; Ludwig
      // users' CSVs often carry one, so accept it under the same name.
      if (name.isEmpty()) {
        name = "Unnamed: " + c;
      }
      Integer before = seen.putIfAbsent(name, c);
      if (before != null) {
        throw new DataException(source + ": duplicate column name '" + name + "' (columns " + (before + 1)
            + " and " + (c + 1) + " of the header); column names must be unique");
      }
      names.add(name);
      columns.add(new ArrayList<>());
    }
  }

  /** {@code line} is the 1-based line where the row starts in the file, for the error message. */
  void addRow(List<String> cells, long line) {
    if (cells.size() != names.size()) {
      throw new DataException(source + ": line " + line + " has " + cells.size() + " fields but the header has "
          + names.size() + " (" + String.join(", ", names) + "); check the quoting and the delimiter");
    }
    for (int c = 0; c < cells.size(); c++) {
      columns.get(c).add(cells.get(c));
    }
  }

  Table build() {
    if (columns.get(0).isEmpty()) {
      throw new DataException(source + ": has a header (" + String.join(", ", names) + ") but no data rows");
    }
    return new Table(source, names, columns);
  }
}
