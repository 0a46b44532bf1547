package dev.fidelio.runtime;

import dev.fidelio.bindings.FidelioH;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and loads libfidelio once per process, with errors that say what to do: a missing
 * library names where it looked, a missing LibTorch names the package, a stale library names
 * the ABI versions.
 */
public final class NativeLibrary {
  /** System property (or FIDELIO_NATIVE_LIBRARY in the environment) naming libfidelio.so. */
  public static final String PATH_PROPERTY = "fidelio.native.library";

  private static volatile Path loaded;

  private NativeLibrary() {}

  public static Path ensureLoaded() {
    Path path = loaded;
    if (path != null) return path;
    synchronized (NativeLibrary.class) {
      if (loaded == null) loaded = load();
      return loaded;
    }
  }

  private static Path load() {
    Path library = locate();
    try {
      System.load(library.toString());
    } catch (UnsatisfiedLinkError e) {
      String message = e.getMessage() == null ? "" : e.getMessage();
      String hint = message.contains("libtorch") || message.contains("libc10")
          ? " LibTorch is missing: on Debian 12 run `apt-get install libtorch-dev` (or bin/fidelio check_install)."
          : " Rebuild it with `bin/fidelio --version` or `mvn package`.";
      throw new FidelioException(Status.INTERNAL, "cannot load " + library + ": " + message + "." + hint, e);
    }
    int abi = FidelioH.fdl_abi_version();
    if (abi != FidelioH.FDL_ABI_VERSION) {
      throw new FidelioException(Status.INTERNAL, library + " has ABI version " + abi + " but the Java bindings expect "
          + FidelioH.FDL_ABI_VERSION + ": rebuild the native library (mvn package)");
    }
    return library;
  }

  private static Path locate() {
    List<Path> candidates = new ArrayList<>();
    String configured = System.getProperty(PATH_PROPERTY, System.getenv("FIDELIO_NATIVE_LIBRARY"));
    if (configured != null && !configured.isBlank()) {
      candidates.add(Path.of(configured));
    } else {
      // Running from a source checkout: the CMake build output under the working directory.
      candidates.add(Path.of("build", "native", "lib", "libfidelio.so"));
    }
    for (Path candidate : candidates) {
      if (Files.isRegularFile(candidate)) return candidate.toAbsolutePath();
    }
    throw new FidelioException(Status.INTERNAL, "native library libfidelio.so not found (looked at " + candidates
        + "; set -D" + PATH_PROPERTY + "=<path> or FIDELIO_NATIVE_LIBRARY). Build it with `mvn package` or run bin/fidelio.");
  }
}
