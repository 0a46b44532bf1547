package dev.fidelio.runtime;

import dev.fidelio.util.Digests;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Properties;

/**
 * libfidelio.so from the native jar (artifact fidelio-native-linux-x86_64), copied out of the jar
 * once into {@code <cache>/native/<sha256 of the library>/libfidelio.so}. The folder is named by the
 * content, so versions never overwrite each other and a copy is reused only when its bytes are the
 * library's; two JVMs extracting at once each write a temporary file and rename it into place, so
 * either sees a complete library (rename replaces atomically; one already mapped stays valid).
 * The cache is FIDELIO_NATIVE_CACHE, else $XDG_CACHE_HOME/fidelio, else ~/.cache/fidelio.
 */
final class NativeJar {
  static final String FOLDER = "dev/fidelio/native/linux-x86_64/";
  static final String RESOURCE = FOLDER + "libfidelio.so";
  static final String MANIFEST = FOLDER + "libfidelio.properties";

  private NativeJar() {}

  /** The extracted library, or null when no native jar is on the class path. */
  static Path extract() {
    byte[] library = NativeLibrary.resource(RESOURCE);
    if (library == null) return null;
    String digest = Digests.sha256(library);
    Path folder = cacheRoot().resolve("native").resolve(digest.substring(0, 32));
    Path target = folder.resolve("libfidelio.so");
    try {
      if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), library)) return target;
      Files.createDirectories(folder);
      Path tmp = Files.createTempFile(folder, "libfidelio-", ".so.tmp");
      try {
        Files.write(tmp, library);
        // createTempFile made it owner-only; a shared cache folder should serve every user.
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  /** What libfidelio.properties records of the LibTorch the jar's library was linked against (empty: no jar). */
  static Properties linkedLibTorch() {
    Properties properties = new Properties();
    byte[] text = NativeLibrary.resource(MANIFEST);
    if (text == null) return properties;
    try {
      properties.load(new StringReader(new String(text, java.nio.charset.StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + MANIFEST + ": " + e.getMessage(), e);
    }
    return properties;
  }

  static Path cacheRoot() {
    String configured = System.getenv("FIDELIO_NATIVE_CACHE");
    if (configured != null && !configured.isBlank()) return Path.of(configured);
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "fidelio");
    return Path.of(System.getProperty("user.home"), ".cache", "fidelio");
  }
}
