package dev.fidelio.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dataset field read as a stream: cells, index, row limits, and nested values skipped unread. */
class SplitJsonTest {
  @Test
  void readsColumnsIndexAndCells() {
    SplitJson.Frame frame = SplitJson.parse("{\"columns\": [\"a\", \"b\"], \"index\": [\"x\", 9],"
        + " \"data\": [[\"hi\", 1.5], [null, true]]}", 10);
    assertEquals(List.of("x", 9), frame.index());
    assertEquals("hi", frame.rows().get(0).get("a"));
    assertEquals(1.5, frame.rows().get(0).get("b"));
    assertEquals(Boolean.TRUE, frame.rows().get(1).get("b"));
    assertTrue(frame.rows().get(1).containsKey("a") && frame.rows().get(1).get("a") == null);
  }

  @Test
  void millionsOfNestedListsCostNoMemoryAndTooManyRowsStopEarly() {
    String nested = "{\"columns\": [\"text\"], \"data\": [[[" + "[],".repeat(3_000_000) + "[]]]]}";
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    SplitJson.Frame frame = SplitJson.parse(nested, 10);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertEquals(List.of(), frame.rows().getFirst().get("text"));  // stands as an empty list, which the row check names
    assertTrue(allocated < 4 << 20, "allocated " + allocated + " bytes for a 9 MB field (a tree kept 162 MB)");

    String rows = "{\"columns\": [], \"data\": [" + "[],".repeat(1_000_000) + "[]]}";
    before = threads.getCurrentThreadAllocatedBytes();
    var e = assertThrows(MicroBatcher.TooManyRows.class, () -> SplitJson.parse(rows, 64));
    assertTrue(e.getMessage().contains("more than the 64 rows"), e.getMessage());
    allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertTrue(allocated < 4 << 20, "allocated " + allocated + " bytes before refusing");
  }

  @Test
  void malformedFieldsAreNamed() {
    for (var c : Map.of("[1, 2", "is not valid JSON", "[1, 2]", "must be a JSON object",
        "{\"columns\": [\"a\"], \"data\": [[1]]} x", "is not valid JSON", "{\"columns\": [1], \"data\": []}",
        "\"columns\" must hold strings", "{\"columns\": [\"a\"], \"data\": [5]}", "row 0 of \"data\" must be a list of 1",
        "{\"columns\": [\"a\"], \"index\": [1, 2], \"data\": [[1]]}", "\"index\" must be a list of 1").entrySet()) {
      var e = assertThrows(dev.fidelio.api.InvalidInputException.class, () -> SplitJson.parse(c.getKey(), 10), c.getKey());
      assertTrue(e.getMessage().contains(c.getValue()), c.getKey() + ": " + e.getMessage());
    }
  }
}
