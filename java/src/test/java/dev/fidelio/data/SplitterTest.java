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
  static void assertPartition(SplitIndices s, int n) {
    int[] all = IntStream.concat(IntStream.concat(Arrays.stream(s.train()), Arrays.stream(s.validation())),
        Arrays.stream(s.test())).sorted().toArray();
    assertArrayEquals(IntStream.range(0, n).toArray(), all);
    for (int[] split : List.of(s.train(), s.validation(), s.test())) {
      assertArrayEquals(Arrays.stream(split).sorted().toArray(), split);
    }
  }
}
