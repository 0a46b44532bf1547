package dev.fidelio.predict;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Ludwig's predictions file: per output feature {@code <name>_predictions}, {@code <name>_probability}
 * and {@code <name>_probabilities_<class>} columns (binary: the two labels), one row per input row.
 */
public final class PredictionsCsv {
  private PredictionsCsv() {}

  public static void write(Path file, List<OutputPredictions> outputs, int rows) {
    List<String> header = new ArrayList<>();
    for (OutputPredictions o : outputs) {
      header.add(o.feature() + "_predictions");
      switch (o) {
        case OutputPredictions.Category c -> {
          header.add(c.feature() + "_probability");
          for (String cls : c.classes()) header.add(c.feature() + "_probabilities_" + cls);
        }
        case OutputPredictions.Binary b -> {
          header.add(b.feature() + "_probability");
          header.add(b.feature() + "_probabilities_" + b.falseLabel());
          header.add(b.feature() + "_probabilities_" + b.trueLabel());
        }
        case OutputPredictions.Number n -> { }
      }
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (Writer out = Files.newBufferedWriter(tmp)) {
      out.write(String.join(",", header.stream().map(PredictionsCsv::quote).toList()) + "\n");
      for (int r = 0; r < rows; r++) {
        List<String> cells = new ArrayList<>();
        for (OutputPredictions o : outputs) {
          switch (o) {
            case OutputPredictions.Category c -> {
              int p = c.predicted(r);
              cells.add(quote(c.classes().get(p)));
              cells.add(Float.toString(c.probabilities()[r][p]));
              for (float prob : c.probabilities()[r]) cells.add(Float.toString(prob));
            }
            case OutputPredictions.Binary b -> {
              float p = b.probability()[r];
              cells.add(quote(b.predicted(r) ? b.trueLabel() : b.falseLabel()));
              cells.add(Float.toString(b.predicted(r) ? p : 1 - p));
              cells.add(Float.toString(1 - p));
              cells.add(Float.toString(p));
            }
            case OutputPredictions.Number n -> cells.add(Float.toString(n.values()[r]));
          }
        }
        out.write(String.join(",", cells) + "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    try {
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static String quote(String cell) {
    if (cell.contains(",") || cell.contains("\"") || cell.contains("\n")) return "\"" + cell.replace("\"", "\"\"") + "\"";
    return cell;
  }
}
