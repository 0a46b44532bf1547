package dev.fidelio.cli;

import dev.fidelio.runtime.FidelioException;
import dev.fidelio.runtime.NativeRuntime;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** `fidelio --version`: Fidelio's, Java's and LibTorch's versions. */
final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String java = "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ", "
        + System.getProperty("java.home") + ")";
    try {
      Map<String, String> info = NativeRuntime.info();
      return List.of("Fidelio " + info.get("fidelio_version"), java, "LibTorch " + info.get("torch_version")
          + (Boolean.parseBoolean(info.get("cuda_available")) ? " (CUDA)" : " (CPU)") + " from "
          + info.get("libtorch_source")).toArray(String[]::new);
    } catch (FidelioException e) {
      return new String[] {"Fidelio (native library unavailable: " + e.getMessage() + ")", java};
    }
  }
}
