package dev.fidelio.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Each C function of the product ABI (native/src/abi) only unwraps its arguments, checks them and
 * calls the module that does the work: none is longer than {@value #MAX_LINES} lines, signature
 * included. Logic that grows belongs below the ABI (ecd/, nn/, optim/, distributed/), testable in C++.
 */
class AbiFunctionsStayThinTest {
  private static final Path ROOT = Path.of(System.getProperty("fidelio.root", ".."));
  private static final int MAX_LINES = 30;
  private static final Pattern DEFINITION = Pattern.compile("^[a-z_0-9]+\\*? (fdl_\\w+)\\(");

  record Definition(String file, String name, int lines) {}

  @Test
  void everyAbiFunctionIsAtMostThirtyLines() throws IOException {
    List<Definition> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(ROOT.resolve("native/src/abi"))) {
      for (Path file : files.filter(p -> p.toString().endsWith(".cpp")).sorted().toList()) {
        all.addAll(definitions(file.getFileName().toString(), Files.readAllLines(file)));
      }
    }
    assertTrue(all.size() > 40, "found too few fdl_ functions: " + all.size());
    List<Definition> long_ = all.stream().filter(d -> d.lines() > MAX_LINES).toList();
    assertTrue(long_.isEmpty(), "ABI functions over " + MAX_LINES + " lines (move their work below the ABI): " + long_);
  }

  @Test
  void theCounterMeasuresFromSignatureToClosingBrace() {
    var lines = List.of("int32_t fdl_free(x* h) { return 0; }", "int32_t fdl_x(int a,", "             int b) {",
        "  return 0;", "}", "", "void other() {}");
    assertEquals(List.of(new Definition("t.cpp", "fdl_free", 1), new Definition("t.cpp", "fdl_x", 4)),
        definitions("t.cpp", lines));
  }

  /** Definitions start at column 0 with a return type and an fdl_ name and end at a "}" in column 0. */
  static List<Definition> definitions(String file, List<String> lines) {
    List<Definition> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = DEFINITION.matcher(lines.get(i));
      if (!m.find() || lines.get(i).endsWith(";")) continue;
      int end = i;
      if (lines.get(i).endsWith("}")) {  // a one-line definition
        out.add(new Definition(file, m.group(1), 1));
        continue;
      }
      while (end < lines.size() && !lines.get(end).startsWith("}")) end++;
      out.add(new Definition(file, m.group(1), end - i + 1));
      i = end;
    }
    return out;
  }
}
