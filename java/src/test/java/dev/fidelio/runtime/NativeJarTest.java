package dev.fidelio.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * libfidelio.so from the native jar on the class path: JVMs given no library path extract it into a
 * content-addressed folder, two at once without a torn or leftover file, and load it; a missing
 * LibTorch or an unset speed setting gets a message saying what to do.
 */
class NativeJarTest {
  @Test
  void twoJvmsAtOnceExtractTheLibraryFromTheJarAndLoadIt(@TempDir Path dir) throws Exception {
    byte[] library = NativeLibrary.resource(NativeJar.RESOURCE);
    assertNotNull(library, NativeJar.RESOURCE + " is not on the test class path (fidelio-native-linux-x86_64)");
    Path cache = dir.resolve("cache");
    Process first = version(dir, cache, Map.of());
    Process second = version(dir, cache, Map.of());
    assertEquals(0, first.waitFor(), Files.readString(dir.resolve("out-" + first.pid())));
    assertEquals(0, second.waitFor(), Files.readString(dir.resolve("out-" + second.pid())));
    assertTrue(Files.readString(dir.resolve("out-" + first.pid())).contains("LibTorch 2."));

    List<Path> files;
    try (Stream<Path> walk = Files.walk(cache.resolve("native"))) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertEquals(1, files.size(), "one library, no temporary files left: " + files);
    assertEquals("libfidelio.so", files.getFirst().getFileName().toString());
    assertArrayEquals(library, Files.readAllBytes(files.getFirst()));

    // A third JVM reuses the copy: same file, not rewritten.
    long modified = Files.getLastModifiedTime(files.getFirst()).toMillis();
    Thread.sleep(20);
    Process third = version(dir, cache, Map.of());
    assertEquals(0, third.waitFor(), Files.readString(dir.resolve("out-" + third.pid())));
    assertEquals(modified, Files.getLastModifiedTime(files.getFirst()).toMillis());
  }

  @Test
  void aLibTorchFolderWithoutTheLibrariesIsNamed(@TempDir Path dir) throws Exception {
    // --version reports an unloadable library in its output instead of failing.
    Process run = version(dir, dir.resolve("cache"), Map.of(NativeLibrary.LIBTORCH_VARIABLE, dir.toString()));
    run.waitFor();
    String out = Files.readString(dir.resolve("out-" + run.pid()));
    assertTrue(out.contains("FIDELIO_LIBTORCH=" + dir + " holds no libc10.so"), out);
  }

  @Test
  void aMachineWithoutTheLinkedLibTorchIsToldWhatToInstallAndFidelioLibtorchFixesIt(@TempDir Path dir)
      throws Exception {
    // A copy of the library whose RUNPATH names a folder that does not exist, as on a machine that never
    // had the build's LibTorch: the path's bytes are overwritten in place, keeping its length.
    String lib = NativeJar.linkedLibTorch().getProperty("libtorch.lib");
    byte[] library = NativeLibrary.resource(NativeJar.RESOURCE);
    byte[] from = lib.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    int at = indexOf(library, from);
    assertTrue(at >= 0, "the RUNPATH " + lib + " is not in the library");
    for (int i = 1; i < from.length; i++) library[at + i] = 'x';
    Path moved = Files.write(dir.resolve("libfidelio.so"), library);

    Process missing = version(dir, dir.resolve("cache"), Map.of("FIDELIO_NATIVE_LIBRARY", moved.toString()));
    missing.waitFor();
    String out = Files.readString(dir.resolve("out-" + missing.pid()));
    String version = NativeJar.linkedLibTorch().getProperty("libtorch.version");
    assertTrue(out.contains("libc10.so") && out.contains("LibTorch " + version + " (CPU) is missing"), out);
    assertTrue(out.contains("pip install torch==" + version) && out.contains("export FIDELIO_LIBTORCH="), out);

    Process pointed = version(dir, dir.resolve("cache"), Map.of("FIDELIO_NATIVE_LIBRARY", moved.toString(),
        NativeLibrary.LIBTORCH_VARIABLE, Path.of(lib).getParent().toString()));
    pointed.waitFor();
    String loaded = Files.readString(dir.resolve("out-" + pointed.pid()));
    assertTrue(loaded.contains("LibTorch " + version), loaded);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
      return i;
    }
    return -1;
  }

  @Test
  void missingLibTorchNamesTheVersionToInstallAndWhereToPointFidelioLibtorch() {
    Properties linked = NativeJar.linkedLibTorch();
    assertTrue(linked.getProperty("libtorch.version", "").matches("2\\.\\d+\\.\\d+"), "manifest: " + linked);
    String hint = LibTorchHint.missing(linked);
    String version = linked.getProperty("libtorch.version");
    assertTrue(hint.contains("LibTorch " + version + " (CPU) is missing"), hint);
    assertTrue(hint.contains("pip install torch==" + version), hint);
    assertTrue(hint.contains("export FIDELIO_LIBTORCH="), hint);
  }

  @Test
  void unsetSpeedSettingsAreNamedAsOneExportLine() {
    Map<String, String> all = NativeEnvironment.recommended();
    assertEquals("", NativeEnvironment.missingExports(all));
    var some = new java.util.HashMap<>(all);
    some.remove("MALLOC_MMAP_MAX_");
    some.remove("OMP_WAIT_POLICY");
    assertEquals("export OMP_WAIT_POLICY=PASSIVE MALLOC_MMAP_MAX_=0", NativeEnvironment.missingExports(some));
  }

  /** `fidelio --version` in a fresh JVM run in dir, with no library path: only the class path's jar can serve. */
  private static Process version(Path dir, Path cache, Map<String, String> env) throws IOException {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        "dev.fidelio.cli.FidelioCli", "--version"));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    builder.environment().remove("FIDELIO_NATIVE_LIBRARY");
    builder.environment().remove(NativeLibrary.LIBTORCH_VARIABLE);
    builder.environment().put("FIDELIO_NATIVE_CACHE", cache.toString());
    builder.environment().putAll(env);
    Path out = dir.resolve("out-pending-" + System.nanoTime());
    Process process = builder.redirectOutput(out.toFile()).start();
    Files.move(out, dir.resolve("out-" + process.pid()));
    return process;
  }
}
