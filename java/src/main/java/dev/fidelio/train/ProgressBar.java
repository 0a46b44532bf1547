package dev.fidelio.train;

import java.io.PrintStream;

/**
 * One line of training progress on stderr: redrawn in place on a terminal; elsewhere (logs, CI)
 * printed once per epoch, when it is complete.
 */
public final class ProgressBar {
  private final PrintStream out = System.err;
  private final boolean terminal = System.console() != null;
  private final String label;
  private final int total;
  private final long started = System.nanoTime();
  private long lastDrawn = started - 1_000_000_000L;  // the first update draws

  public ProgressBar(String label, int total) {
    this.label = label;
    this.total = total;
  }

  /** meanLoss NaN leaves the loss out (passes that do not train). */
  public void update(int done, int samples, double meanLoss) {
    // Runs at every training step: a line is formatted only when drawn, on a terminal 10 times a second.
    long now = System.nanoTime();
    if (done != total && (!terminal || now - lastDrawn < 100_000_000L)) return;
    lastDrawn = now;
    double seconds = Math.max(1e-9, (now - started) / 1e9);
    int width = 30;
    int filled = total == 0 ? width : (int) ((long) width * done / total);
    String loss = Double.isNaN(meanLoss) ? "" : String.format(" loss %.4f", meanLoss);
    String line = String.format("%s [%s%s] %d/%d%s %.1f samples/s", label, "=".repeat(filled),
        " ".repeat(width - filled), done, total, loss, samples / seconds);
    if (terminal) {
      out.print("\r" + line);
      if (done == total) out.println();
    } else if (done == total) {
      out.println(line);
    }
  }
}
