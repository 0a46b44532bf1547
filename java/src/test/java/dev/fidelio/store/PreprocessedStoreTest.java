package dev.fidelio.store;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fidelio.features.CategoryVocabulary;
import dev.fidelio.features.Dataset;
import dev.fidelio.features.InputColumn;
import dev.fidelio.features.TargetColumn;
import dev.fidelio.features.TrainingSetMetadata;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The store's own guarantees, on synthetic columns of every kind: what is written maps back
 * exactly; a truncated file, a flipped byte, a deleted file (metadata, manifest, checksum) are
 * each detected, the entry removed and reported as a miss; concurrent writers of one key leave one
 * whole entry and no debris.
 */
class PreprocessedStoreTest {
  private static final StoreKey KEY = new StoreKey("0123abcd".repeat(8), JsonNodeFactory.instance.objectNode()
      .put("test", true));

  @TempDir
  Path root;

  @Test
  void whatIsWrittenMapsBackExactly() {
    PreprocessedStore store = new PreprocessedStore(root);
    PreprocessedData written = data();
    Path entry = store.write(KEY, written);
    assertEquals(root.resolve(KEY.hash()), entry);
    PreprocessedData read = store.open(KEY).orElseThrow();

    var tokens = (InputColumn.Tokens) read.training().inputs().get(0);
    assertEquals(3, tokens.rows());
    assertArrayEquals(new long[] {101, 7, 102}, tokens.row(0));
    assertArrayEquals(new long[] {101, 102}, tokens.row(1));
    assertArrayEquals(new long[] {101, 5, 6, 7, 102}, tokens.row(2));
    assertEquals(0, tokens.padTokenId());
    var dense = (InputColumn.Dense) read.training().inputs().get(1);
    assertArrayEquals(new long[] {2}, dense.rowShape());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, dense.values().toArray(JAVA_FLOAT));
    assertArrayEquals(new long[] {0, 1, 1}, ((TargetColumn.ClassIds) read.training().targets().get(0)).ids());
    assertArrayEquals(new float[] {0.5f, -1, 2}, ((TargetColumn.Values) read.training().targets().get(1)).values());
    assertArrayEquals(new int[] {4, 0, 2}, read.training().sourceRows());
    assertEquals(0, read.test().size());
    assertEquals(List.of("ham", "spam"), read.metadata().category("label").idx2str());
    assertEquals(7, read.metadata().randomSeed());
    assertEquals(6, read.datasetRows());
    assertArrayEquals(new int[] {3, 1, 0}, read.splitRows());
    assertEquals(List.of("embedded"), read.cachedEmbeddings());
  }

  @Test
  void aMissingEntryIsAMiss() {
    assertTrue(new PreprocessedStore(root).open(KEY).isEmpty());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"truncated column", "flipped byte in a column", "flipped byte in the manifest",
      "deleted metadata", "deleted manifest", "half-written (no manifest checksum)", "another key's entry"})
  void aDamagedEntryIsDetectedRemovedAndRebuilt(String damage) throws IOException {
    PreprocessedStore store = new PreprocessedStore(root);
    Path entry = store.write(KEY, data());
    switch (damage) {
      case "truncated column" -> {
        try (RandomAccessFile f = new RandomAccessFile(entry.resolve("training.input1.values.float32").toFile(), "rw")) {
          f.setLength(f.length() - 4);
        }
      }
      case "flipped byte in a column" -> flip(entry.resolve("training.input0.ids.i32"), 5);
      case "flipped byte in the manifest" -> flip(entry.resolve(PreprocessedStore.MANIFEST), 40);
      case "deleted metadata" -> Files.delete(entry.resolve(PreprocessedStore.METADATA));
      case "deleted manifest" -> Files.delete(entry.resolve(PreprocessedStore.MANIFEST));
      case "half-written (no manifest checksum)" -> Files.delete(entry.resolve(PreprocessedStore.MANIFEST_CHECKSUM));
      case "another key's entry" -> {
        Path other = store.write(new StoreKey("f".repeat(64), KEY.components()), data());
        deleteTree(entry);
        Files.move(other, entry);
      }
      default -> throw new IllegalArgumentException(damage);
    }
    assertTrue(store.open(KEY).isEmpty(), "a damaged entry must not be used");
    assertFalse(Files.exists(entry), "the damaged entry is removed");
    store.write(KEY, data());
    assertTrue(store.open(KEY).isPresent(), "rebuilt");
    assertEquals(List.of(entry), entries());
  }

  @Test
  void concurrentWritersOfOneKeyLeaveOneWholeEntry() throws Exception {
    PreprocessedStore store = new PreprocessedStore(root);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Path>> writers = new ArrayList<>();
      for (int i = 0; i < 8; i++) writers.add(() -> store.write(KEY, data()));
      for (Future<Path> f : pool.invokeAll(writers)) assertEquals(root.resolve(KEY.hash()), f.get());
    } finally {
      pool.shutdown();
    }
    assertTrue(store.open(KEY).isPresent());
    assertEquals(List.of(root.resolve(KEY.hash())), entries(), "no temporary folders left behind");
  }

  @Test
  void aWriteClearsTheTemporaryFolderOfARunThatDied() throws IOException {
    Path abandoned = Files.createDirectories(root.resolve("." + KEY.hash() + ".tmp-999999999-crashed"));
    Files.writeString(abandoned.resolve("training.rows.i32"), "half");
    Path alive = Files.createDirectories(root.resolve("." + KEY.hash() + ".tmp-" + ProcessHandle.current().pid()
        + "-writing"));
    new PreprocessedStore(root).write(KEY, data());
    assertFalse(Files.exists(abandoned), "the dead run's folder is removed");
    assertTrue(Files.exists(alive), "a live run's folder is left alone");
  }

  @Test
  void theDefaultRootIsBesideTheDataset() {
    assertEquals(root.resolve("spam.fidelio_cache"), PreprocessedStore.besideDataset(root.resolve("spam.csv")));
  }

  private List<Path> entries() throws IOException {
    try (Stream<Path> paths = Files.list(root)) {
      return paths.toList();
    }
  }

  private static PreprocessedData data() {
    var tokens = InputColumn.Tokens.of(new long[][] {{101, 7, 102}, {101, 102}, {101, 5, 6, 7, 102}}, 0);
    var dense = InputColumn.Dense.of(new float[] {1, 2, 3, 4, 5, 6}, 2);
    var training = new Dataset(new int[] {4, 0, 2}, List.of(tokens, dense),
        List.of(new TargetColumn.ClassIds(new long[] {0, 1, 1}), new TargetColumn.Values(new float[] {0.5f, -1, 2})));
    var validation = new Dataset(new int[] {1}, List.of(InputColumn.Tokens.of(new long[][] {{101, 9, 102}}, 0),
        InputColumn.Dense.of(new float[] {7, 8}, 2)),
        List.of(new TargetColumn.ClassIds(new long[] {1}), new TargetColumn.Values(new float[] {3})));
    var test = new Dataset(new int[0], List.of(InputColumn.Tokens.of(new long[0][], 0),
        InputColumn.Dense.of(new float[0], 2)),
        List.of(new TargetColumn.ClassIds(new long[0]), new TargetColumn.Values(new float[0])));
    TrainingSetMetadata metadata = TrainingSetMetadata.empty(7);
    metadata.category().put("label", new CategoryVocabulary(List.of("ham", "spam")));
    return new PreprocessedData(metadata, training, validation, test, 6, new int[] {3, 1, 0}, List.of("embedded"));
  }

  private static void flip(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x01);
    }
  }

  private static void deleteTree(Path folder) throws IOException {
    try (Stream<Path> paths = Files.walk(folder)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}
