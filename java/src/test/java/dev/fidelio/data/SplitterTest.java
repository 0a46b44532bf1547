package dev.fidelio.data;

import dev.fidelio.config.Split;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitterTest {
  static Table table(int n, String column, java.util.function.IntFunction<String> value) {
    List<String> ids = new ArrayList<>();
    List<String> vals = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(Integer.toString(i));
      vals.add(value.apply(i));
    }
    return new Table("mem.csv", List.of("id", column), List.of(ids, vals));
  }

  @Test
  void randomSplitIsDeterministicAndProportional() {
    Table t = table(10_000, "x", i -> "v");
    SplitIndices a = Splitter.split(t, new Split.Random(Split.DEFAULT_PROBABILITIES));
    SplitIndices b = Splitter.split(t, new Split.Random(Split.DEFAULT_PROBABILITIES), Splitter.DEFAULT_SEED);
    assertArrayEquals(a.train(), b.train());
    assertArrayEquals(a.validation(), b.validation());
    assertArrayEquals(a.test(), b.test());
    assertEquals(7000, a.train().length, 50);
    assertEquals(1000, a.validation().length, 50);
    assertEquals(2000, a.test().length, 50);
    assertPartition(a, 10_000);
    // Rows are really mixed, not cut in file order.
    assertTrue(Arrays.stream(a.test()).anyMatch(r -> r < 5000) && Arrays.stream(a.test()).anyMatch(r -> r > 9000));

    SplitIndices other = Splitter.split(t, new Split.Random(Split.DEFAULT_PROBABILITIES), 7);
    assertFalse(Arrays.equals(a.test(), other.test()), "another seed gives another split");
  }

  @Test
  void randomSplitDoesNotDependOnThreads() {
    Table t = table(10_000, "x", i -> "v");
    var config = new Split.Random(List.of(0.5, 0.25, 0.25));
    int[] expected = Splitter.split(t, config, 3).validation();
    List<int[]> parallel = IntStream.range(0, 16).parallel().mapToObj(k -> Splitter.split(t, config, 3).validation()).toList();
    parallel.forEach(v -> assertArrayEquals(expected, v));
    assertEquals(2500, expected.length);
  }

  @Test
  void fixedSplitReadsNumbersAndNames() {
    String[] values = {"0", "1", "2", "train", "validation", "test", " Test ", "1.0"};
    Table t = table(values.length, "split", i -> values[i]);
    SplitIndices s = Splitter.split(t, new Split.Fixed("split"));
    assertArrayEquals(new int[] {0, 3}, s.train());
    assertArrayEquals(new int[] {1, 4, 7}, s.validation());
    assertArrayEquals(new int[] {2, 5, 6}, s.test());
  }

  @Test
  void fixedSplitRejectsABadValueNamingTheRow() {
    String[] values = {"0", "train", "dev"};
    var e = assertThrows(DataException.class, () -> Splitter.split(table(3, "split", i -> values[i]), new Split.Fixed("split")));
    assertTrue(e.getMessage().contains("row 3") && e.getMessage().contains("'dev'")
        && e.getMessage().contains("expected 0, 1, 2 or train, validation, test"), e.getMessage());
    e = assertThrows(DataException.class, () -> Splitter.split(table(2, "split", i -> null), new Split.Fixed("split")));
    assertTrue(e.getMessage().contains("row 1") && e.getMessage().contains("no value"), e.getMessage());
    e = assertThrows(DataException.class, () -> Splitter.split(table(2, "spilt", i -> "0"), new Split.Fixed("split")));
    assertTrue(e.getMessage().contains("column 'split' not found") && e.getMessage().contains("did you mean 'spilt'"),
        e.getMessage());
  }

  @Test
  void stratifiedSplitKeepsClassProportions() {
    // 90% "ham", 9% "spam", 1% "rare": a plain random split could starve the rare class.
    Table t = table(10_000, "label", i -> i % 100 == 0 ? "rare" : i % 100 < 10 ? "spam" : "ham");
    SplitIndices s = Splitter.split(t, new Split.Stratify("label", Split.DEFAULT_PROBABILITIES));
    assertPartition(s, 10_000);
    List<String> labels = t.column("label");
    for (int[] split : List.of(s.train(), s.validation(), s.test())) {
      long spam = Arrays.stream(split).filter(r -> labels.get(r).equals("spam")).count();
      long rare = Arrays.stream(split).filter(r -> labels.get(r).equals("rare")).count();
      assertEquals(0.09, spam / (double) split.length, 0.002, "spam share");
      assertEquals(0.01, rare / (double) split.length, 0.002, "rare share");
    }
    assertEquals(10, Arrays.stream(s.validation()).filter(r -> labels.get(r).equals("rare")).count());
    assertArrayEquals(s.test(), Splitter.split(t, new Split.Stratify("label", Split.DEFAULT_PROBABILITIES)).test(), "deterministic");
  }

  @Test
  void emptyTrainingIsAnErrorEmptyValidationAWarning() {
    Table t = table(10, "x", i -> "v");
    var e = assertThrows(DataException.class, () -> Splitter.split(t, new Split.Random(List.of(0.0, 0.5, 0.5))));
    assertTrue(e.getMessage().contains("training split is empty"), e.getMessage());
    SplitIndices s = Splitter.split(t, new Split.Random(List.of(0.8, 0.0, 0.2)));
    assertEquals(1, s.warnings().size());
    assertTrue(s.warnings().get(0).contains("validation split is empty"), s.warnings().get(0));
    assertEquals(8, s.train().length);
  }

  /** Every row lands in exactly one split, and each split is ascending. */
  /** The split each id got, by id. */
  private static java.util.Map<String, Integer> splitById(Table t, SplitIndices s) {
    var byId = new java.util.HashMap<String, Integer>();
    int[][] parts = {s.train(), s.validation(), s.test()};
    for (int k = 0; k < 3; k++) for (int r : parts[k]) byId.put(t.cell(r, "id"), k);
    return byId;
  }

  @Test
  void hashSplitIsStableUnderRowReorderingAndAddedRows() {
    Split hash = new Split.Hash("id", List.of(0.7, 0.1, 0.2));
    Table t = table(3000, "x", i -> "v" + i);
    SplitIndices s = Splitter.split(t, hash, 1);
    assertPartition(s, 3000);
    assertEquals(0.7, s.train().length / 3000.0, 0.03);
    assertEquals(0.1, s.validation().length / 3000.0, 0.03);
    // Reversed, another seed, and 500 more rows: every id keeps its split.
    int[] reversed = IntStream.range(0, 3000).map(i -> 2999 - i).toArray();
    Table shuffled = t.rows(reversed);
    var before = splitById(t, s);
    var after = splitById(shuffled, Splitter.split(shuffled, hash, 99));
    assertEquals(before, after);
    var grown = splitById(table(3500, "x", i -> "v" + i), Splitter.split(table(3500, "x", i -> "v" + i), hash, 5));
    before.forEach((id, split) -> assertEquals(split, grown.get(id), "id " + id));
  }

  @Test
  void hashIsLudwigs() {
    // Python: zlib.crc32(base64.b64encode(hashlib.md5(json.dumps({"value": v}, sort_keys=True,
    // ensure_ascii=True).encode()).digest(), altchars=b"__")), as ludwig/data/split.py HashSplitter computes it.
    assertEquals("{\"value\": \"abc\"}", HashSplit.json("abc", false));
    assertEquals("{\"value\": \"\\u00e9\\\"x\"}", HashSplit.json("\u00e9\"x", false));
    assertEquals("{\"value\": 17}", HashSplit.json("17", true));
    assertEquals(717356382L, HashSplit.hash("abc", false));
    assertEquals(3967682881L, HashSplit.hash("17", true));
    assertEquals(3924773203L, HashSplit.hash("\u00e9\"x", false));
    assertEquals(3914770530L, HashSplit.hash(null, false), "a missing id hashes as pandas' NaN");
  }

  @Test
  void datetimeSplitTrainsOnThePastAndTestsOnTheFuture() {
    List<String> days = new ArrayList<>();
    for (int i = 0; i < 100; i++) days.add(java.time.LocalDate.of(2024, 1, 1).plusDays((i * 37) % 100).toString());
    days.set(5, "2023-12-31 23:59:59");        // the oldest, spelled with a time
    days.set(6, "12/31/2024");                 // the newest, US spelling
    Table t = new Table("mem.csv", List.of("day"), List.of(days));
    SplitIndices s = Splitter.split(t, new Split.Datetime("day", List.of(0.7, 0.1, 0.2)), 1);
    assertPartition(s, 100);
    assertEquals(70, s.train().length);
    assertEquals(10, s.validation().length);
    assertTrue(Arrays.stream(s.train()).anyMatch(r -> r == 5));
    assertTrue(Arrays.stream(s.test()).anyMatch(r -> r == 6));
    String latestTrain = Arrays.stream(s.train()).filter(r -> r != 5).mapToObj(days::get).max(String::compareTo).orElseThrow();
    String earliestTest = Arrays.stream(s.test()).filter(r -> r != 6).mapToObj(days::get).min(String::compareTo).orElseThrow();
    assertTrue(latestTrain.compareTo(earliestTest) < 0, latestTrain + " trained, " + earliestTest + " tested");
    List<String> broken = new ArrayList<>(days);
    broken.set(9, "yesterday");
    Table bad = new Table("mem.csv", List.of("day"), List.of(broken));
    var e = assertThrows(DataException.class, () -> Splitter.split(bad, new Split.Datetime("day", List.of(0.7, 0.1, 0.2)), 1));
    assertTrue(e.getMessage().contains("row 10") && e.getMessage().contains("'yesterday'"), e.getMessage());
  }

  static void assertPartition(SplitIndices s, int n) {
    int[] all = IntStream.concat(IntStream.concat(Arrays.stream(s.train()), Arrays.stream(s.validation())),
        Arrays.stream(s.test())).sorted().toArray();
    assertArrayEquals(IntStream.range(0, n).toArray(), all);
    for (int[] split : List.of(s.train(), s.validation(), s.test())) {
      assertArrayEquals(Arrays.stream(split).sorted().toArray(), split);
    }
  }
}
