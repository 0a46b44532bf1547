package dev.fidelio.store;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fidelio.features.Dataset;
import dev.fidelio.features.InputColumn;
import dev.fidelio.features.TargetColumn;
import dev.fidelio.features.TrainingSetMetadata;
import dev.fidelio.util.Log;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The content-addressed preprocessed store: one folder per {@link StoreKey} under a root (beside
 * the dataset by default), holding each split's columns as mappable array files, the training-set
 * metadata, and a manifest with every file's size and CRC32C.
 *
 * <p>Integrity: an entry is built in a uniquely named temporary folder and renamed into place in
 * one atomic step, so readers see a whole entry or none, and two runs building the same key at
 * once each finish (the second rename loses and its copy is dropped). Opening verifies the
 * manifest's own checksum, the format, the key and every file's size and checksum; an entry that
 * fails any check is logged, removed and reported as a miss, never used.
 */
public final class PreprocessedStore {
  static final String MANIFEST = "manifest.json";
  static final String MANIFEST_CHECKSUM = "manifest.crc32c";
  static final String METADATA = "training_set_metadata.json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] SPLITS = {"training", "validation", "test"};

  private final Path root;

  public PreprocessedStore(Path root) {
    this.root = root;
  }

  /** Ludwig keeps preprocessed files beside the dataset: data.csv -> data.fidelio_cache/. */
  public static Path besideDataset(Path dataset) {
    String name = dataset.getFileName().toString();
    int dot = name.lastIndexOf('.');
    Path parent = dataset.toAbsolutePath().getParent();
    return parent.resolve((dot > 0 ? name.substring(0, dot) : name) + ".fidelio_cache");
  }

  public Path root() {
    return root;
  }

  public Path entry(StoreKey key) {
    return root.resolve(key.hash());
  }

  /** The entry's data if it exists and passes every check; a broken entry is logged and removed. */
  public Optional<PreprocessedData> open(StoreKey key) {
    Path entry = entry(key);
    if (!Files.isDirectory(entry)) return Optional.empty();
    try {
      return Optional.of(read(entry, key));
    } catch (IOException | RuntimeException e) {
      Log.warn("preprocessed store entry " + entry + " is unusable (" + e.getMessage() + "); removing it and "
          + "preprocessing again");
      remove(entry);
      return Optional.empty();
    }
  }

  /** Writes data under key atomically; returns the entry's folder. */
  public Path write(StoreKey key, PreprocessedData data) {
    Path entry = entry(key);
    Path temporary = root.resolve("." + key.hash() + ".tmp-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID());
    try {
      Files.createDirectories(root);
      removeAbandoned();
      Files.createDirectory(temporary);
      writeEntry(temporary, key, data);
      try {
        Files.move(temporary, entry, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        throw e;
      } catch (IOException e) {
        // rename(2) onto a non-empty folder fails (ENOTEMPTY, which Java reports in several ways).
        if (!Files.isDirectory(entry)) throw e;
        Log.info("another run stored the same preprocessed data first: " + entry + "; keeping that one");
        remove(temporary);
      }
      return entry;
    } catch (AtomicMoveNotSupportedException e) {
      remove(temporary);
      throw new StoreException("cannot rename into " + entry + " atomically: " + e.getMessage(), e);
    } catch (IOException e) {
      remove(temporary);
      throw new UncheckedIOException("cannot write the preprocessed store entry " + entry + ": " + e.getMessage(), e);
    }
  }

  private static void writeEntry(Path folder, StoreKey key, PreprocessedData data) throws IOException {
    ObjectNode files = JsonNodeFactory.instance.objectNode();
    StoredColumns.Sink sink = (file, segment) -> {
      long crc = ArrayFiles.write(folder.resolve(file), segment);
      ObjectNode f = files.putObject(file);
      f.put("bytes", segment.byteSize());
      f.put("crc32c", crc);
      return file;
    };
    byte[] metadata = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(data.metadata());
    sink.put(METADATA, MemorySegment.ofArray(metadata));

    ObjectNode manifest = JsonNodeFactory.instance.objectNode();
    manifest.put("store_format", StoreKey.FORMAT);
    manifest.put("key", key.hash());
    manifest.put("byte_order", ByteOrder.nativeOrder().toString());
    manifest.put("dataset_rows", data.datasetRows());
    ArrayNode cached = manifest.putArray("cached_embeddings");
    data.cachedEmbeddings().forEach(cached::add);
    ObjectNode splits = manifest.putObject("splits");
    Dataset[] datasets = {data.training(), data.validation(), data.test()};
    for (int s = 0; s < SPLITS.length; s++) {
      Dataset d = datasets[s];
      ObjectNode split = splits.putObject(SPLITS[s]);
      split.put("split_rows", data.splitRows()[s]);
      split.put("rows", d.size());
      split.put("source_rows", StoredColumns.writeRows(d.sourceRows(), SPLITS[s], sink));
      ArrayNode inputs = split.putArray("inputs");
      for (int i = 0; i < d.inputs().size(); i++) {
        inputs.add(StoredColumns.writeInput(d.inputs().get(i), SPLITS[s] + ".input" + i, sink));
      }
      ArrayNode targets = split.putArray("targets");
      for (int o = 0; o < d.targets().size(); o++) {
        targets.add(StoredColumns.writeTarget(d.targets().get(o), SPLITS[s] + ".target" + o, sink));
      }
    }
    manifest.set("files", files);
    manifest.set("key_components", key.components());
    byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
    long crc = ArrayFiles.write(folder.resolve(MANIFEST), MemorySegment.ofArray(bytes));
    // Written last: an entry without it was never finished.
    ArrayFiles.write(folder.resolve(MANIFEST_CHECKSUM),
        MemorySegment.ofArray(Long.toString(crc).getBytes(StandardCharsets.US_ASCII)));
  }

  private static PreprocessedData read(Path entry, StoreKey key) throws IOException {
    JsonNode manifest = manifest(entry);
    require(manifest.path("store_format").asInt() == StoreKey.FORMAT, "store format "
        + manifest.path("store_format") + ", this Fidelio writes " + StoreKey.FORMAT);
    require(key.hash().equals(manifest.path("key").asText()), "its manifest names key " + manifest.path("key"));
    require(ByteOrder.nativeOrder().toString().equals(manifest.path("byte_order").asText()),
        "written on a " + manifest.path("byte_order") + " machine");

    // Every file is mapped and checked before any is used.
    Map<String, MemorySegment> mapped = new HashMap<>();
    var files = manifest.path("files").properties();
    require(!files.isEmpty(), "its manifest lists no files");
    for (var file : files) {
      Path path = entry.resolve(file.getKey());
      require(Files.isRegularFile(path), file.getKey() + " is missing");
      MemorySegment segment = ArrayFiles.map(path);
      long expectedBytes = file.getValue().path("bytes").asLong();
      require(segment.byteSize() == expectedBytes, file.getKey() + " has " + segment.byteSize() + " bytes, expected "
          + expectedBytes + " (truncated?)");
      require(ArrayFiles.crc32c(segment) == file.getValue().path("crc32c").asLong(), file.getKey()
          + " fails its checksum (corrupted)");
      mapped.put(file.getKey(), segment);
    }
    StoredColumns.Source source = name -> {
      MemorySegment segment = mapped.get(name);
      if (segment == null) throw new StoreException("the manifest uses " + name + " but does not list it");
      return segment;
    };

    TrainingSetMetadata metadata = JSON.readValue(source.get(METADATA).toArray(JAVA_BYTE), TrainingSetMetadata.class);
    Dataset[] datasets = new Dataset[SPLITS.length];
    int[] splitRows = new int[SPLITS.length];
    for (int s = 0; s < SPLITS.length; s++) {
      JsonNode split = manifest.path("splits").path(SPLITS[s]);
      long rows = split.path("rows").asLong();
      splitRows[s] = split.path("split_rows").asInt();
      int[] sourceRows = StoredColumns.readRows(split.path("source_rows").asText(), source);
      require(sourceRows.length == rows, SPLITS[s] + " lists " + sourceRows.length + " rows, expected " + rows);
      List<InputColumn> inputs = new ArrayList<>();
      for (JsonNode column : split.path("inputs")) inputs.add(StoredColumns.readInput(column, rows, source));
      List<TargetColumn> targets = new ArrayList<>();
      for (JsonNode column : split.path("targets")) targets.add(StoredColumns.readTarget(column, rows, source));
      datasets[s] = new Dataset(sourceRows, inputs, targets);
    }
    List<String> cached = new ArrayList<>();
    manifest.path("cached_embeddings").forEach(n -> cached.add(n.asText()));
    return new PreprocessedData(metadata, datasets[0], datasets[1], datasets[2],
        manifest.path("dataset_rows").asInt(), splitRows, cached);
  }

  private static JsonNode manifest(Path entry) throws IOException {
    Path checksumFile = entry.resolve(MANIFEST_CHECKSUM);
    require(Files.isRegularFile(checksumFile), MANIFEST_CHECKSUM + " is missing (never finished?)");
    require(Files.isRegularFile(entry.resolve(MANIFEST)), MANIFEST + " is missing");
    long expected;
    try {
      expected = Long.parseLong(Files.readString(checksumFile, StandardCharsets.US_ASCII).strip());
    } catch (NumberFormatException e) {
      throw new StoreException(MANIFEST_CHECKSUM + " is not a checksum (corrupted)");
    }
    MemorySegment bytes = ArrayFiles.map(entry.resolve(MANIFEST));
    require(ArrayFiles.crc32c(bytes) == expected, MANIFEST + " fails its checksum (corrupted or truncated)");
    return JSON.readTree(bytes.toArray(JAVA_BYTE));
  }

  private static void require(boolean condition, String problem) {
    if (!condition) throw new StoreException(problem);
  }

  /** Temporary folders of runs that died while writing (their process is gone). */
  private void removeAbandoned() throws IOException {
    try (Stream<Path> children = Files.list(root)) {
      for (Path child : children.toList()) {
        String name = child.getFileName().toString();
        int at = name.indexOf(".tmp-");
        if (!name.startsWith(".") || at < 0) continue;
        int end = name.indexOf('-', at + 5);
        if (end < 0) continue;
        try {
          if (ProcessHandle.of(Long.parseLong(name.substring(at + 5, end))).isEmpty()) remove(child);
        } catch (NumberFormatException e) {
          // not one of ours
        }
      }
    }
  }

  /** Renamed aside first, so no reader finds a half-deleted entry under its key. */
  private static void remove(Path folder) {
    Path doomed = folder.resolveSibling("." + folder.getFileName() + ".removed-" + UUID.randomUUID());
    try {
      Files.move(folder, doomed, StandardCopyOption.ATOMIC_MOVE);
    } catch (NoSuchFileException e) {
      return; // another run removed it already
    } catch (IOException e) {
      doomed = folder;
    }
    try (Stream<Path> paths = Files.walk(doomed)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (IOException e) {
      Log.warn("could not delete " + doomed + ": " + e.getMessage());
    }
  }
}
