package dev.fidelio.predict;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Ludwig's predictions file: the {@link PredictionColumns} without the list-valued
 * {@code _probabilities}, one row per input row, written atomically.
 */
public final class PredictionsCsv {
  private PredictionsCsv() {}

  public static void write(Path file, List<OutputPredictions> outputs, int rows) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (Writer out = Files.newBufferedWriter(tmp)) {
      out.write(String.join(",", PredictionColumns.names(outputs, false).stream().map(PredictionsCsv::quote).toList())
          + "\n");
      for (int r = 0; r < rows; r++) {
        out.write(String.join(",", PredictionColumns.values(outputs, r, false).stream()
            .map(v -> quote(v.toString())).toList()) + "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static String quote(String cell) {
    if (cell.contains(",") || cell.contains("\"") || cell.contains("\n")) return "\"" + cell.replace("\"", "\"\"") + "\"";
    return cell;
  }
}
