package dev.fidelio.runtime;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The launcher's speed settings (bin/lib/setup.sh, fidelio_native_env) are environment variables
 * that glibc's malloc and OpenMP read once, when the process starts: a JVM that embeds Fidelio
 * must have them before it starts, so they cannot be set from here. When any is unset this warns,
 * once per process, naming the exports. Measured costs without them: libgomp's spin-waiting made a
 * train step ~25x slower when another process used a core; glibc's per-thread arena and mmapped
 * blocks cost a ResNet-18 step 17% (benchmarks/results/resnet-*.md). FIDELIO_QUIET_ENV=1 silences it.
 */
public final class NativeEnvironment {
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private NativeEnvironment() {}

  /** Each setting and the value the launcher gives it. OMP_NUM_THREADS: the launcher uses the core count. */
  public static Map<String, String> recommended() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("OMP_WAIT_POLICY", "PASSIVE");
    settings.put("OMP_NUM_THREADS", Integer.toString(Runtime.getRuntime().availableProcessors()));
    settings.put("MALLOC_MMAP_THRESHOLD_", "33554432");
    settings.put("MALLOC_TRIM_THRESHOLD_", "1073741824");
    settings.put("MALLOC_ARENA_MAX", "1");
    settings.put("MALLOC_MMAP_MAX_", "0");
    return settings;
  }

  /** The export line for the settings env lacks; empty when it has them all. */
  public static String missingExports(Map<String, String> env) {
    StringBuilder exports = new StringBuilder();
    recommended().forEach((name, value) -> {
      if (env.get(name) == null) {
        exports.append(exports.isEmpty() ? "export " : " ").append(name).append('=').append(value);
      }
    });
    return exports.toString();
  }

  static void warnOnce(Map<String, String> env) {
    String exports = missingExports(env);
    if (exports.isEmpty() || "1".equals(env.get("FIDELIO_QUIET_ENV")) || !WARNED.compareAndSet(false, true)) return;
    System.err.println("fidelio: WARNING this JVM was started without the native speed settings that must be set"
        + " before it starts (OpenMP waiting, glibc malloc); training can be 17% to 25x slower. Before starting"
        + " java: " + exports + "   (or `source bin/lib/setup.sh; fidelio_native_env` in a Fidelio checkout;"
        + " FIDELIO_QUIET_ENV=1 hides this)");
  }
}
