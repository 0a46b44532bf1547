package dev.fidelio.data;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each broken dataset fails with one DataException whose message names the problem and where. */
class BrokenDatasetTest {
  @TempDir Path dir;

  @Test
  void missingFile() {
    expect(dir.resolve("nope.csv"), "not found", "nope.csv");
  }

  @Test
  void emptyFile() throws IOException {
    expect(write("e.csv", ""), "empty", "e.csv");
    expect(write("e.parquet", ""), "empty");
    expect(write("blank.jsonl", "\n\n  \n"), "no JSON objects");
  }

  @Test
  void headerOnly() throws IOException {
    expect(write("h.csv", "text,label\n"), "header", "no data rows", "text, label");
    expect(write("h.tsv", "text\tlabel"), "no data rows");
  }

  @Test
  void rowWithWrongFieldCountNamesLineAndCounts() throws IOException {
    expect(write("w.csv", "a,b,c\n1,2,3\n4,5\n"), "line 3", "has 2 fields", "header has 3");
    // A quoted field spanning two lines: the bad row starts on line 4, not on row 3.
    expect(write("m.csv", "a,b\n1,\"two\nlines\"\n3,4,5\n"), "line 4", "has 3 fields", "header has 2");
    expect(write("w.tsv", "a\tb\n1\t2\t3\n"), "line 2", "has 3 fields");
  }

  @Test
  void invalidJsonNamesTheLine() throws IOException {
    expect(write("bad.jsonl", "{\"a\": 1}\n{\"a\": 2}\n{\"a\": 3,}\n"), "invalid JSON on line 3");
    expect(write("two.jsonl", "{\"a\": 1} {\"a\": 2}\n"), "invalid JSON on line 1");
  }

  @Test
  void jsonLineThatIsNotAnObject() throws IOException {
    expect(write("arr.jsonl", "{\"a\": 1}\n[1, 2]\n"), "line 2", "array", "expected an object");
  }

  @Test
  void duplicateColumnNames() throws IOException {
    expect(write("d.csv", "text,label,text\n1,2,3\n"), "duplicate column name 'text'", "columns 1 and 3");
    expect(write("d.jsonl", "{\"a\": 1, \"a\": 2}\n"), "duplicate key", "line 1", "'a'");
  }

  @Test
  void corruptParquet() throws Exception {
    expect(write("c.parquet", "PAR1 this is not really parquet at all"), "c.parquet", "cannot read as parquet");
    Path csvNamedParquet = write("csv.parquet", "a,b\n1,2\n");
    expect(csvNamedParquet, "cannot read as parquet");
    // A real parquet file cut in half.
    Path good = dir.resolve("good.parquet");
    try (var db = DriverManager.getConnection("jdbc:duckdb:"); var st = db.createStatement()) {
      st.execute("COPY (SELECT range AS id, 'row ' || range AS text FROM range(1000)) TO '" + good + "' (FORMAT parquet)");
    }
    byte[] bytes = Files.readAllBytes(good);
    expect(Files.write(dir.resolve("cut.parquet"), Arrays.copyOf(bytes, bytes.length / 2)), "cannot read as parquet");
  }

  @Test
  void parquetWithoutRows() throws Exception {
    Path f = dir.resolve("none.parquet");
    try (var db = DriverManager.getConnection("jdbc:duckdb:"); var st = db.createStatement()) {
      st.execute("COPY (SELECT 1 AS a, 'x' AS b WHERE false) TO '" + f + "' (FORMAT parquet)");
    }
    expect(f, "has columns (a, b) but no data rows");
  }

  @Test
  void invalidUtf8() throws IOException {
    Path f = dir.resolve("latin1.csv");
    Files.write(f, new byte[] {'a', '\n', 'c', (byte) 0xE9, '\n'});
    expect(f, "not valid UTF-8");
    expect(Files.write(dir.resolve("latin1.jsonl"), new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xE9, '"', '}'}),
        "not valid UTF-8");
  }

  @Test
  void unclosedQuote() throws IOException {
    expect(write("q.csv", "a,b\n1,\"never closed\n2,3\n"), "q.csv", "line", "never closed");
  }

  @Test
  void unknownFormat() throws IOException {
    expect(write("data.xlsx", "x"), "cannot tell the format", ".csv", "csv, tsv, jsonl, parquet");
    expectAs(write("data.csv", "a\n1\n"), "excel", "unknown dataset format 'excel'");
  }

  @Test
  void directoryInsteadOfFile() throws IOException {
    expect(Files.createDirectory(dir.resolve("d.csv")), "directory");
  }

  @Test
  void missingColumnListsTheOthersAndSuggests() throws IOException {
    Table t = DatasetReader.read(write("t.csv", "text,label\nhi,ham\n"));
    var e = assertThrows(DataException.class, () -> t.require("lable", "input_features[0].column"));
    check(e.getMessage(), "column 'lable' not found in input_features[0].column", "available: text, label",
        "did you mean 'label'?");
    e = assertThrows(DataException.class, () -> t.column("zzzzzz"));
    check(e.getMessage(), "not found in " + t.source());
    assertTrue(!e.getMessage().contains("did you mean"), e.getMessage());
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  private void expect(Path file, String... fragments) {
    var e = assertThrows(DataException.class, () -> DatasetReader.read(file), file.toString());
    check(e.getMessage(), fragments);
  }

  private void expectAs(Path file, String format, String... fragments) {
    var e = assertThrows(DataException.class, () -> DatasetReader.read(file, format), file.toString());
    check(e.getMessage(), fragments);
  }

  private static void check(String message, String... fragments) {
    for (String f : fragments) {
      assertTrue(message.contains(f), "expected '" + f + "' in: " + message);
    }
  }
}
