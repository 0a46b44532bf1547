package dev.fidelio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packages of dev.fidelio form no import cycle, so each can be read, tested and changed with only
 * the packages below it in mind. The layering, bottom to top (a package uses only packages on lower
 * lines; those on one line do not use each other):
 *
 * <pre>
 *   bindings, text, util, visualize
 *       FFM bindings and ABI codes; tokenizer; log, JSON files, SHA-256; learning curves
 *   config        the typed config; its options carry their ABI codes (bindings)
 *   data, runtime, weights
 *       tables and splits (config); native library, tensors and structs (bindings, util); checkpoints (util)
 *   features      preprocessing into columns (config, data, runtime, text, util, weights)
 *   model, store  native modules and bundles; the preprocessed store (features and below)
 *   distributed, export, predict
 *       c10d workers, TorchScript export, predictions: each uses model
 *   metrics       what an evaluation measured, typed (predict)
 *   train         the training loop (distributed, metrics, model, predict)
 *   experiment    a run's orchestration (train, store, everything below)
 *   api           the public API (experiment, train, metrics)
 *   serve         the prediction server (api)
 *   cli           the command line (api, serve, export, visualize, distributed)
 * </pre>
 *
 * <p>A dependency is any mention of {@code dev.fidelio.<package>.<Type>}: an import, a fully qualified
 * name, a {@code {@link}} in a doc comment (javadoc resolves it) and a class name in a string (a class
 * started by name is used all the same).
 */
class PackageDependenciesTest {
  private static final Path SOURCES = Path.of("src/main/java/dev/fidelio");
  private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.fidelio\\.([a-z][a-z0-9_]*)\\.[A-Z]\\w*");

  /** An edge of the package graph with one reference that makes it, for the failure message. */
  record Edge(String from, String to, String example) {}

  @Test
  void mainSourcesFormNoPackageCycle() throws IOException {
    Map<String, Map<String, Edge>> graph = graph(SOURCES);
    assertTrue(graph.size() > 10, "read too few packages from " + SOURCES.toAbsolutePath() + ": " + graph.keySet());
    List<Edge> cycle = findCycle(graph);
    if (!cycle.isEmpty()) fail(describe(cycle));
  }

  @Test
  void findsTheCycleOfAHandMadeGraphAndNamesTheEdgeThatClosesIt() {
    Map<String, Map<String, Edge>> graph = new TreeMap<>();
    edge(graph, "api", "train");
    edge(graph, "train", "model");
    edge(graph, "model", "runtime");
    edge(graph, "train", "runtime");
    assertTrue(findCycle(graph).isEmpty(), "a DAG has no cycle");

    edge(graph, "runtime", "train");
    List<Edge> cycle = findCycle(graph);
    assertEquals(List.of("train", "model", "runtime"), cycle.stream().map(Edge::from).toList());
    assertEquals("train", cycle.getLast().to());
    String message = describe(cycle);
    assertEquals("package cycle train -> model -> runtime -> train; runtime -> train is closed by "
        + "Runtime.java: dev.fidelio.train.Type", message);
  }

  @Test
  void readsImportsQualifiedNamesDocLinksAndStringsButNotItsOwnPackage(@TempDir Path dir) throws IOException {
    Path a = Files.createDirectories(dir.resolve("a"));
    Files.writeString(a.resolve("A.java"), """
        package dev.fidelio.a;
        import dev.fidelio.b.B;
        /** See {@link dev.fidelio.c.C}; {@link dev.fidelio.d} names a package, no type. */
        class A { dev.fidelio.e.E e; String main = "dev.fidelio.f.F"; dev.fidelio.a.A self; }
        """);
    Map<String, Map<String, Edge>> graph = graph(dir);
    assertEquals(Set.of("b", "c", "e", "f"), graph.get("a").keySet());
    assertEquals("A.java: dev.fidelio.b.B", graph.get("a").get("b").example());
    assertFalse(graph.containsKey("d"));
  }

  /** Package to the packages it uses, read from the .java files under root (one folder per package). */
  static Map<String, Map<String, Edge>> graph(Path root) throws IOException {
    Map<String, Map<String, Edge>> graph = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    for (Path file : files) {
      String from = root.relativize(file.getParent()).toString().replace('/', '.');
      graph.computeIfAbsent(from, k -> new TreeMap<>());
      Matcher m = REFERENCE.matcher(Files.readString(file));
      while (m.find()) {
        String to = m.group(1);
        if (to.equals(from)) continue;
        graph.computeIfAbsent(to, k -> new TreeMap<>());
        graph.get(from).putIfAbsent(to, new Edge(from, to, file.getFileName() + ": " + m.group()));
      }
    }
    return graph;
  }

  /** The edges of one cycle in order, the last one closing it; empty when the graph has none. */
  static List<Edge> findCycle(Map<String, Map<String, Edge>> graph) {
    Set<String> finished = new HashSet<>();
    for (String start : graph.keySet()) {
      List<Edge> cycle = search(graph, start, new ArrayList<>(), finished);
      if (!cycle.isEmpty()) return cycle;
    }
    return List.of();
  }

  /** Depth-first from node with path the edges walked to it; a node on the path reached again is a cycle. */
  private static List<Edge> search(Map<String, Map<String, Edge>> graph, String node, List<Edge> path,
                                   Set<String> finished) {
    if (finished.contains(node)) return List.of();
    for (Edge edge : graph.getOrDefault(node, Map.of()).values()) {
      for (int i = 0; i < path.size(); i++) {
        if (path.get(i).from().equals(edge.to())) {
          List<Edge> cycle = new ArrayList<>(path.subList(i, path.size()));
          cycle.add(edge);
          return cycle;
        }
      }
      if (edge.to().equals(node)) return List.of(edge);
      path.add(edge);
      List<Edge> cycle = search(graph, edge.to(), path, finished);
      path.removeLast();
      if (!cycle.isEmpty()) return cycle;
    }
    finished.add(node);
    return List.of();
  }

  static String describe(List<Edge> cycle) {
    Edge closing = cycle.getLast();
    StringBuilder text = new StringBuilder("package cycle ");
    for (Edge edge : cycle) text.append(edge.from()).append(" -> ");
    return text.append(closing.to()).append("; ").append(closing.from()).append(" -> ").append(closing.to())
        .append(" is closed by ").append(closing.example()).toString();
  }

  private static void edge(Map<String, Map<String, Edge>> graph, String from, String to) {
    graph.computeIfAbsent(to, k -> new TreeMap<>());
    graph.computeIfAbsent(from, k -> new TreeMap<>())
        .put(to, new Edge(from, to, Character.toUpperCase(from.charAt(0)) + from.substring(1) + ".java: dev.fidelio."
            + to + ".Type"));
  }
}
