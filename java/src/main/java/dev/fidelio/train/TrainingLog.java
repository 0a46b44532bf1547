package dev.fidelio.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * training_log.csv in the results folder: one line per optimizer step with its epoch, learning
 * rate, mean loss and rows, so a schedule can be checked step by step. Flushed at each evaluation.
 */
final class TrainingLog implements AutoCloseable {
  static final String FILE = "training_log.csv";
  private final Path file;
  private final BufferedWriter out;

  private TrainingLog(Path file, BufferedWriter out) {
    this.file = file;
    this.out = out;
  }

  static TrainingLog create(Path file) {
    try {
      var out = Files.newBufferedWriter(file);
      out.write("step,epoch,learning_rate,loss,rows\n");
      return new TrainingLog(file, out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the training log " + file + ": " + e.getMessage(), e);
    }
  }

  /** A log that writes nothing: a data-parallel worker other than rank 0 writes no results. */
  static TrainingLog discard() {
    return new TrainingLog(Path.of("(discarded)"), new BufferedWriter(java.io.Writer.nullWriter()));
  }

  /** Continues the log of an interrupted run after step: later lines (redone after the resume) are dropped. */
  static TrainingLog resume(Path file, long step) {
    try {
      List<String> kept = new ArrayList<>();
      if (Files.exists(file)) {
        for (String line : Files.readAllLines(file)) {
          if (line.startsWith("step,")) continue;
          int comma = line.indexOf(',');
          if (comma > 0 && Long.parseLong(line.substring(0, comma)) <= step) kept.add(line);
        }
      }
      TrainingLog log = create(file);
      for (String line : kept) log.write(line + "\n");
      return log;
    } catch (IOException | NumberFormatException e) {
      throw new IllegalStateException("cannot continue the training log " + file + ": " + e.getMessage(), e);
    }
  }

  void step(long step, int epoch, double learningRate, double loss, int rows) {
    write(String.format(Locale.ROOT, "%d,%d,%.17g,%.17g,%d%n", step, epoch, learningRate, loss, rows));
  }

  void flush() {
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the training log " + file + ": " + e.getMessage(), e);
    }
  }

  private void write(String line) {
    try {
      out.write(line);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the training log " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the training log " + file + ": " + e.getMessage(), e);
    }
  }
}
