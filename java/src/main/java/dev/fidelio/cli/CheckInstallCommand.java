package dev.fidelio.cli;

import dev.fidelio.runtime.FidelioException;
import dev.fidelio.runtime.NativeLibrary;
import dev.fidelio.runtime.NativeRuntime;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `fidelio check_install` (Ludwig's name): what is present, what is missing, and what to do. */
@Command(name = "check_install", description = "Report the JDK, LibTorch, BLAS, threads and CUDA in use.")
final class CheckInstallCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    row(out, "java", System.getProperty("java.version") + " at " + System.getProperty("java.home"));
    Map<String, String> info;
    try {
      row(out, "native library", NativeLibrary.ensureLoaded().toString());
      info = NativeRuntime.info();
    } catch (FidelioException e) {
      row(out, "native library", "MISSING: " + e.getMessage());
      return 1;
    }
    row(out, "fidelio", info.get("fidelio_version") + " (C ABI " + info.get("abi_version") + ")");
    row(out, "libtorch", info.get("torch_version") + " (" + info.get("libtorch_source") + ")");
    row(out, "cuda", Boolean.parseBoolean(info.get("cuda_available"))
        ? info.get("cuda_device_count") + " device(s)" : "not available (CPU only)");
    row(out, "threads", "intra-op " + info.get("intra_op_threads") + ", inter-op " + info.get("inter_op_threads")
        + "; OMP_NUM_THREADS=" + env("OMP_NUM_THREADS") + ", OMP_WAIT_POLICY=" + env("OMP_WAIT_POLICY"));
    row(out, "blas kernel", info.get("blas_kernel"));
    row(out, "math libs", info.get("math_libraries"));
    boolean ok = true;
    if (info.get("blas_kernel").startsWith("unknown")) {
      row(out, "WARNING", "no optimised BLAS found (a reference BLAS is ~15x slower): build against a PyTorch wheel's "
          + "LibTorch (README, Install)");
      ok = false;
    }
    out.println(ok ? "installation OK" : "installation works but is degraded (see WARNING)");
    return 0;
  }

  private static String env(String name) {
    String value = System.getenv(name);
    return value == null ? "(unset)" : value;
  }

  private static void row(PrintWriter out, String key, String value) {
    out.printf("%-15s %s%n", key + ":", value);
  }
}
