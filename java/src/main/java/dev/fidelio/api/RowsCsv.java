package dev.fidelio.api;

import dev.fidelio.util.Digests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * In-memory rows as a CSV file, named by the SHA-256 of its bytes: the same rows are one file, so
 * the preprocessed store (keyed by the dataset's bytes) reuses its entry for them. Training reads
 * them back through the one CSV reader, so rows in memory and the same rows in a file train alike.
 */
final class RowsCsv {
  private RowsCsv() {}

  static Path write(Path folder, List<String> columns, List<List<String>> cells) {
    byte[] bytes = csv(columns, cells).getBytes(StandardCharsets.UTF_8);
    Path file = folder.resolve("rows-" + Digests.sha256(bytes).substring(0, 16) + ".csv");
    try {
      if (Files.isRegularFile(file) && Files.size(file) == bytes.length) return file;
      Files.createDirectories(folder);
      // Temp file + rename: a reader (another run, another JVM) sees no file or the whole file.
      Path tmp = Files.createTempFile(folder, "rows-", ".csv.tmp");
      try {
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the in-memory rows to " + file + ": " + e.getMessage(), e);
    }
  }

  /** Every present cell quoted (commas, quotes, newlines survive); a missing cell is empty and unquoted. */
  private static String csv(List<String> columns, List<List<String>> cells) {
    StringBuilder out = new StringBuilder();
    for (int c = 0; c < columns.size(); c++) {
      if (c > 0) out.append(',');
      quote(out, columns.get(c));
    }
    out.append('\n');
    int rows = cells.getFirst().size();
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < columns.size(); c++) {
        if (c > 0) out.append(',');
        String value = cells.get(c).get(r);
        if (value != null) quote(out, value);
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static void quote(StringBuilder out, String value) {
    out.append('"').append(value.replace("\"", "\"\"")).append('"');
  }
}
