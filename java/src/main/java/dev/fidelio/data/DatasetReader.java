package dev.fidelio.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a dataset file into a {@link Table}, choosing the reader by format. */
public final class DatasetReader {
  private DatasetReader() {}

  /** Reads {@code path}, with the format taken from its extension. */
  public static Table read(Path path) {
    return read(path, null);
  }

  /** Reads {@code path} as {@code format} (Ludwig's names: csv, tsv, jsonl, parquet; null or "auto": by extension). */
  public static Table read(Path path, String format) {
    DataFormat f = DataFormat.of(format, path);
    checkReadable(path);
    return switch (f) {
      case CSV -> CsvReader.read(path, ',');
      case TSV -> CsvReader.read(path, '\t');
      case JSONL -> JsonLinesReader.read(path);
      case PARQUET -> ParquetReader.read(path);
    };
  }

  /** The common failures get one clear message here rather than each library's own wording. */
  public static void checkReadable(Path path) {
    if (path.toString().isBlank()) throw new DataException("--dataset is empty; give the path of a dataset file");
    if (!Files.exists(path)) {
      Path dir = path.toAbsolutePath().getParent();
      throw new DataException("dataset file not found: " + path
          + (dir != null && !Files.isDirectory(dir) ? " (the directory " + dir + " does not exist either)" : ""));
    }
    if (Files.isDirectory(path)) {
      throw new DataException("dataset path is a directory, not a file: " + path);
    }
    if (!Files.isReadable(path)) {
      throw new DataException("dataset file is not readable (permissions?): " + path);
    }
    try {
      if (Files.size(path) == 0) {
        throw new DataException("dataset file is empty (0 bytes): " + path);
      }
    } catch (IOException e) {
      throw new DataException("cannot read dataset file " + path + ": " + e.getMessage(), e);
    }
  }
}
