package dev.fidelio.runtime;

import dev.fidelio.bindings.FidelioH;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Finds and loads libfidelio once per process, with errors that say what to do. In order:
 * an explicit path ({@value #PATH_PROPERTY} or FIDELIO_NATIVE_LIBRARY: bin/fidelio and the tests);
 * the native jar on the class path ({@code fidelio-native-linux-x86_64}, extracted by
 * {@link NativeJar}); the CMake build output of a source checkout ({@code build/native/lib}).
 * LibTorch comes from the library's RUNPATH (the LibTorch it was built against) unless
 * FIDELIO_LIBTORCH names another folder, whose libraries are then loaded first.
 */
public final class NativeLibrary {
  /** System property (or FIDELIO_NATIVE_LIBRARY in the environment) naming libfidelio.so. */
  public static final String PATH_PROPERTY = "fidelio.native.library";
  /** A libtorch folder (or torch package folder) whose libc10/libtorch_cpu/libtorch to use. */
  public static final String LIBTORCH_VARIABLE = "FIDELIO_LIBTORCH";

  private static volatile Path loaded;

  private NativeLibrary() {}

  public static Path ensureLoaded() {
    Path path = loaded;
    if (path != null) return path;
    synchronized (NativeLibrary.class) {
      if (loaded == null) {
        loaded = load();
        NativeEnvironment.warnOnce(System.getenv());
      }
      return loaded;
    }
  }

  private static Path load() {
    Properties linked = NativeJar.linkedLibTorch();
    Path library = locate();
    preloadLibTorch();
    try {
      System.load(library.toString());
    } catch (UnsatisfiedLinkError e) {
      String message = e.getMessage() == null ? "" : e.getMessage();
      String hint = message.contains("libtorch") || message.contains("libc10")
          ? " " + LibTorchHint.missing(linked)
          : " Rebuild it with `bin/fidelio --version` or `mvn install`.";
      throw new FidelioException(Status.INTERNAL, "cannot load " + library + ": " + message + "." + hint, e);
    }
    int abi = FidelioH.fdl_abi_version();
    if (abi != FidelioH.FDL_ABI_VERSION) {
      throw new FidelioException(Status.INTERNAL, library + " has ABI version " + abi + " but the Java bindings expect "
          + FidelioH.FDL_ABI_VERSION + ": rebuild the native library (mvn install), or use the same version of the"
          + " dev.fidelio:fidelio and fidelio-native-linux-x86_64 artifacts");
    }
    return library;
  }

  /**
   * With FIDELIO_LIBTORCH set, loads its LibTorch libraries by path before libfidelio: the dynamic
   * linker then satisfies libfidelio's needs (by soname) with them, whatever its RUNPATH says.
   */
  private static void preloadLibTorch() {
    String folder = System.getenv(LIBTORCH_VARIABLE);
    if (folder == null || folder.isBlank()) return;
    Path lib = LibTorchHint.libFolder(Path.of(folder));
    for (String name : List.of("libc10.so", "libtorch_cpu.so", "libtorch.so")) {
      Path file = lib.resolve(name);
      if (!Files.isRegularFile(file)) {
        throw new FidelioException(Status.INTERNAL, LIBTORCH_VARIABLE + "=" + folder + " holds no " + name
            + " (looked in " + lib + "); point it at a libtorch folder (its lib/ holds libtorch_cpu.so) or a torch package folder");
      }
      System.load(file.toString());
    }
  }

  private static Path locate() {
    List<String> looked = new ArrayList<>();
    String configured = System.getProperty(PATH_PROPERTY, System.getenv("FIDELIO_NATIVE_LIBRARY"));
    if (configured != null && !configured.isBlank()) {
      Path path = Path.of(configured);
      if (Files.isRegularFile(path)) return path.toAbsolutePath();
      looked.add(PATH_PROPERTY + "=" + configured);
    } else {
      try {
        Path extracted = NativeJar.extract();
        if (extracted != null) return extracted;
        looked.add("the class path (no " + NativeJar.RESOURCE + ": the fidelio-native-linux-x86_64 jar)");
      } catch (UncheckedIOException e) {
        throw new FidelioException(Status.INTERNAL, "cannot extract libfidelio.so from the native jar: "
            + e.getMessage() + "; set FIDELIO_NATIVE_CACHE to a writable folder", e);
      }
      // Running from a source checkout: the CMake build output under the working directory.
      Path built = Path.of("build", "native", "lib", "libfidelio.so");
      if (Files.isRegularFile(built)) return built.toAbsolutePath();
      looked.add(built.toAbsolutePath().toString());
    }
    throw new FidelioException(Status.INTERNAL, "native library libfidelio.so not found (looked at " + looked
        + "). Add the dependency dev.fidelio:fidelio-native-linux-x86_64, set -D" + PATH_PROPERTY
        + "=<path> or FIDELIO_NATIVE_LIBRARY, or build it with `mvn install`.");
  }

  /** Reads a class-path resource, or null when absent. */
  static byte[] resource(String name) {
    try (InputStream in = NativeLibrary.class.getClassLoader().getResourceAsStream(name)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name + " from the class path: " + e.getMessage(), e);
    }
  }
}
