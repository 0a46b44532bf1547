package dev.fidelio.data;

import dev.fidelio.config.Split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The committed example data reads cleanly: 3,000 rows, text and label, balanced, no missing labels. */
class SpamExampleDataTest {
  @Test
  void spamCsvReadsAsDocumented() {
    Path csv = Path.of(System.getProperty("fidelio.root", ".."), "examples", "spam", "spam.csv");
    assumeTrue(Files.exists(csv), "examples/spam/spam.csv not found from " + csv.toAbsolutePath());
    Table t = DatasetReader.read(csv);
    assertEquals(List.of("text", "label"), t.columnNames());
    assertEquals(3000, t.rowCount());
    List<String> labels = t.column("label");
    assertEquals(1500, Collections.frequency(labels, "spam"));
    assertEquals(1500, Collections.frequency(labels, "ham"));
    SplitIndices s = Splitter.split(t, new Split.Random(Split.DEFAULT_PROBABILITIES));
    assertEquals(2100, s.train().length);
  }
}
