package dev.fidelio.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every format reads the same small table to the same cells, awkward values included. */
class DatasetReaderTest {
  static final List<String> NAMES = List.of("id", "text", "label", "score");
  // A comma, doubled quotes, a line break, non-ASCII text, and a null (empty in CSV). Scores are
  // not integral because a parquet DOUBLE -3 reads back as "-3.0": the type, not the reader.
  static final String[][] ROWS = {
      {"1", "hello, world", "ham", "0.5"},
      {"2", "she said \"hi\"\nthen left", "spam", null},
      {"3", "naïve café 日本", "ham", "-3.25"},
  };

  @TempDir Path dir;

  @Test
  void csvTsvJsonlAndParquetReadTheSameTable() throws Exception {
    for (Path file : List.of(writeDelimited("t.csv", ',', false), writeDelimited("bom.csv", ',', true),
        writeDelimited("t.tsv", '\t', false), writeDelimited("t.tab", '\t', true), writeJsonl("t.jsonl"),
        writeJsonl("t.ndjson"), writeParquet("t.parquet"))) {
      assertTable(DatasetReader.read(file), file.toString());
    }
  }

  @Test
  void explicitFormatBeatsTheExtension() throws IOException {
    Path txt = Files.move(writeDelimited("t.tsv", '\t', false), dir.resolve("data.txt"));
    assertTable(DatasetReader.read(txt, "tsv"), "tsv as .txt");
    assertEquals(DataFormat.CSV, DataFormat.of("auto", Path.of("x.CSV")));
  }

  @Test
  void jsonlKeepsNestedValuesAsJsonAndFillsMissingKeysWithNull() throws IOException {
    Path f = dir.resolve("n.jsonl");
    Files.writeString(f, """
        {"a": [1, 2], "b": {"x": true}}

        {"c": false, "a": null}
        """);
    Table t = DatasetReader.read(f);
    assertEquals(List.of("a", "b", "c"), t.columnNames());
    assertEquals(Arrays.asList("[1,2]", null), t.column("a"));
    assertEquals(Arrays.asList("{\"x\":true}", null), t.column("b"));
    assertEquals(Arrays.asList(null, "false"), t.column("c"));
  }

  @Test
  void pandasNaSpellingsInCsvAreMissingButNotInTheHeader() throws IOException {
    Path f = dir.resolve("na.csv");
    Files.writeString(f, "NA,text\nnan,None\n\"N/A\",null\n1.5,Nancy\n");
    Table t = DatasetReader.read(f);
    assertEquals(List.of("NA", "text"), t.columnNames());
    assertEquals(java.util.Arrays.asList(null, null, "1.5"), t.column("NA"));
    assertEquals(java.util.Arrays.asList(null, null, "Nancy"), t.column("text"));
  }

  @Test
  void tableSelectsRows() throws IOException {
    Table t = DatasetReader.read(writeDelimited("t.csv", ',', false)).rows(new int[] {2, 0});
    assertEquals(List.of("3", "1"), t.column("id"));
    assertNull(DatasetReader.read(writeDelimited("u.csv", ',', false)).cell(1, "score"));
  }

  static void assertTable(Table t, String what) {
    assertEquals(NAMES, t.columnNames(), what);
    assertEquals(ROWS.length, t.rowCount(), what);
    for (int r = 0; r < ROWS.length; r++) {
      for (int c = 0; c < NAMES.size(); c++) {
        assertEquals(ROWS[r][c], t.cell(r, NAMES.get(c)), what + " row " + r + " column " + NAMES.get(c));
      }
    }
  }

  private Path writeDelimited(String name, char sep, boolean bom) throws IOException {
    StringBuilder s = new StringBuilder(bom ? "\uFEFF" : "").append(String.join(String.valueOf(sep), NAMES)).append("\r\n");
    for (String[] row : ROWS) {
      List<String> cells = new ArrayList<>();
      for (String v : row) {
        boolean quote = v != null && (v.indexOf(sep) >= 0 || v.contains("\"") || v.contains("\n"));
        cells.add(v == null ? "" : quote ? "\"" + v.replace("\"", "\"\"") + "\"" : v);
      }
      s.append(String.join(String.valueOf(sep), cells)).append("\r\n");
    }
    return Files.writeString(dir.resolve(name), s, StandardCharsets.UTF_8);
  }

  private Path writeJsonl(String name) throws IOException {
    // id and score as JSON numbers: scalars must come back as their text.
    String s = """
        {"id": 1, "text": "hello, world", "label": "ham", "score": 0.5}
        {"id": 2, "text": "she said \\"hi\\"\\nthen left", "label": "spam", "score": null}
        {"id": 3, "text": "naïve café 日本", "label": "ham", "score": -3.25}
        """;
    return Files.writeString(dir.resolve(name), s, StandardCharsets.UTF_8);
  }

  /** Written by DuckDB's own COPY ... TO, so the reader meets a real parquet file. */
  Path writeParquet(String name) throws SQLException {
    Path f = dir.resolve(name);
    try (var db = DriverManager.getConnection("jdbc:duckdb:"); var st = db.createStatement()) {
      st.execute("CREATE TABLE t (id BIGINT, text VARCHAR, label VARCHAR, score DOUBLE)");
      try (var insert = db.prepareStatement("INSERT INTO t VALUES (?, ?, ?, ?)")) {
        for (String[] row : ROWS) {
          insert.setLong(1, Long.parseLong(row[0]));
          insert.setString(2, row[1]);
          insert.setString(3, row[2]);
          insert.setObject(4, row[3] == null ? null : Double.valueOf(row[3]));
          insert.executeUpdate();
        }
      }
      st.execute("COPY t TO '" + f + "' (FORMAT parquet)");
    }
    return f;
  }
}
