package dev.fidelio.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * dev.fidelio.api is the whole public API: its public signatures may name only its own types and the
 * JDK's, so that the internal packages can change freely. The few members below predate the library
 * API and still name internal types; the list may only shrink.
 */
class ApiSurfaceTest {
  private static final Set<String> PREDATING = Set.of(
      "FidelioModel.bundle -> dev.fidelio.model.ModelBundle",
      "FidelioModel.inputFeatures -> dev.fidelio.config.InputFeature",
      "FidelioModel.outputFeatures -> dev.fidelio.config.OutputFeature",
      "Predictions.<init> -> dev.fidelio.predict.OutputPredictions",
      "Predictions.output -> dev.fidelio.predict.OutputPredictions",
      "Predictions.outputs -> dev.fidelio.predict.OutputPredictions");

  @Test
  void publicSignaturesNameOnlyApiAndJdkTypes() throws Exception {
    Set<String> leaks = new TreeSet<>();
    for (Class<?> type : apiClasses()) {
      if (!Modifier.isPublic(type.getModifiers())) continue;
      List<Executable> members = new ArrayList<>(List.of(type.getDeclaredMethods()));
      members.addAll(List.of(type.getDeclaredConstructors()));
      for (Executable member : members) {
        if (!Modifier.isPublic(member.getModifiers()) || member.isSynthetic()) continue;
        List<Type> named = new ArrayList<>(List.of(member.getGenericParameterTypes()));
        if (member instanceof Method m) named.add(m.getGenericReturnType());
        String name = type.getSimpleName() + "." + (member instanceof Constructor<?> ? "<init>" : member.getName());
        for (Type t : named) collectInternal(t, name, leaks);
      }
    }
    Set<String> unexpected = new TreeSet<>(leaks);
    unexpected.removeAll(PREDATING);
    assertTrue(unexpected.isEmpty(), "public API members naming internal types: " + unexpected);
    assertEquals(new TreeSet<>(PREDATING), leaks, "a predating leak was fixed: remove it from PREDATING");
  }

  private static void collectInternal(Type type, String member, Set<String> leaks) {
    switch (type) {
      case Class<?> c when c.isArray() -> collectInternal(c.getComponentType(), member, leaks);
      case Class<?> c -> {
        String pkg = c.getPackageName();
        if (pkg.startsWith("dev.fidelio") && !pkg.equals("dev.fidelio.api")) leaks.add(member + " -> " + c.getName());
      }
      case ParameterizedType p -> {
        collectInternal(p.getRawType(), member, leaks);
        for (Type argument : p.getActualTypeArguments()) collectInternal(argument, member, leaks);
      }
      case WildcardType w -> {
        for (Type bound : w.getUpperBounds()) collectInternal(bound, member, leaks);
        for (Type bound : w.getLowerBounds()) collectInternal(bound, member, leaks);
      }
      case GenericArrayType g -> collectInternal(g.getGenericComponentType(), member, leaks);
      default -> { }
    }
  }

  /** Every class compiled into dev/fidelio/api, nested ones included. */
  private static List<Class<?>> apiClasses() throws URISyntaxException, java.io.IOException, ClassNotFoundException {
    Path folder = Path.of(Fidelio.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .resolve("dev/fidelio/api");
    List<Class<?>> classes = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String simple = file.getFileName().toString().replace(".class", "");
        if (simple.equals("package-info")) continue;
        classes.add(Class.forName("dev.fidelio.api." + simple, false, Fidelio.class.getClassLoader()));
      }
    }
    assertTrue(classes.size() > 15, "API classes found: " + classes);
    return classes;
  }
}
