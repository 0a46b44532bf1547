package dev.fidelio.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.bindings.generator.GenerateBindings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed bindings are exactly what the generator makes of the current header. */
class BindingsUpToDateTest {
  private static final Path ROOT = Path.of(System.getProperty("fidelio.root", ".."));

  @Test
  void committedBindingsMatchTheHeader() throws IOException {
    String header = Files.readString(ROOT.resolve("native/include/fidelio.h"));
    String committed = Files.readString(ROOT.resolve("bindings/src/main/java/dev/fidelio/bindings/FidelioH.java"));
    assertEquals(GenerateBindings.generate(header), committed,
        "bindings/ are stale: fidelio.h changed without bin/generate-bindings being run");
  }

  @Test
  void generatorSeesEveryDeclaration() throws IOException {
    // FidelioH itself is not touched here: its initialiser needs the native library (NativeLibraryTest).
    String header = Files.readString(ROOT.resolve("native/include/fidelio.h"));
    long declared = header.lines().filter(l -> l.startsWith("FDL_API ")).count();
    assertEquals(declared, GenerateBindings.parseFunctions(header).size());
  }

  @Test
  void unsupportedCTypesAreRefusedByTheGenerator() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> GenerateBindings.generate("FDL_API int32_t fdl_x(struct fdl_pair pair);"));
    assertTrue(e.getMessage().contains("unsupported C type"), e.getMessage());
  }
}
