package dev.fidelio.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** What to tell a user whose machine lacks the LibTorch libfidelio.so was linked against. */
final class LibTorchHint {
  private LibTorchHint() {}

  /**
   * "LibTorch 2.13.0 (CPU) is missing: ..." with the ways to get it: the torch wheel of that
   * version, or pytorch.org's libtorch archive, then FIDELIO_LIBTORCH pointing at it.
   */
  static String missing(Properties linked) {
    String version = linked.getProperty("libtorch.version", "");
    boolean cuda = "yes".equals(linked.getProperty("libtorch.cuda"));
    String which = version.isEmpty() ? "LibTorch 2.x" : "LibTorch " + version + (cuda ? " (CUDA)" : " (CPU)");
    String pip = version.isEmpty() ? "pip install torch"
        : "pip install torch==" + version + (cuda ? "" : " --index-url https://download.pytorch.org/whl/cpu");
    StringBuilder hint = new StringBuilder(which).append(" is missing: libfidelio.so needs its libc10.so,"
        + " libtorch_cpu.so and libtorch.so");
    String lib = linked.getProperty("libtorch.lib", "");
    if (!lib.isEmpty()) {
      hint.append(" (it was built against those in ").append(lib).append(", which this machine lacks)");
    }
    hint.append(". Install the package torch (`").append(pip).append("`) and export ")
        .append(NativeLibrary.LIBTORCH_VARIABLE).append("=<its site-packages>/torch, or unpack pytorch.org's libtorch ")
        .append(version).append(" archive and export ").append(NativeLibrary.LIBTORCH_VARIABLE)
        .append("=<that folder> in the environment the JVM starts with.");
    return hint.toString();
  }

  /** The folder holding libtorch_cpu.so in a libtorch folder ({@code lib/}) or a torch package ({@code torch/lib}). */
  static Path libFolder(Path folder) {
    for (Path candidate : new Path[] {folder.resolve("lib"), folder.resolve("torch").resolve("lib"), folder}) {
      if (Files.isRegularFile(candidate.resolve("libtorch_cpu.so"))) return candidate;
    }
    return folder.resolve("lib");
  }
}
