package dev.fidelio.runtime;

import dev.fidelio.bindings.FidelioH;

/** A compute device: the CPU, or a CUDA device by index. */
public record Device(Type type, int index) {
  public enum Type {
    CPU(FidelioH.FDL_DEVICE_CPU),
    CUDA(FidelioH.FDL_DEVICE_CUDA);

    private final int code;

    Type(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }

    static Type of(int code) {
      return code == FidelioH.FDL_DEVICE_CUDA ? CUDA : CPU;
    }
  }

  public static final Device CPU = new Device(Type.CPU, -1);

  public static Device cuda(int index) {
    return new Device(Type.CUDA, index);
  }

  /**
   * The --device choice: "auto" (the first CUDA device when this LibTorch sees one, else the CPU),
   * "cpu", "cuda" (cuda:0) or "cuda:N". A CUDA device that is not there is an error naming what is.
   */
  public static Device select(String choice) {
    String c = choice == null ? "auto" : choice.trim().toLowerCase(java.util.Locale.ROOT);
    if (c.equals("cpu")) return CPU;
    int available = NativeRuntime.deviceCount(Type.CUDA);
    if (c.equals("auto")) return available > 0 ? cuda(0) : CPU;
    if (c.matches("cuda(:\\d+)?")) {
      int index = c.equals("cuda") ? 0 : Integer.parseInt(c.substring(5));
      if (index >= available) {
        throw new IllegalArgumentException("device '" + choice + "' is not available: this LibTorch sees "
            + available + " CUDA device(s)" + (available == 0 ? " (a CPU-only build, or no GPU)" : "")
            + "; use --device cpu or auto");
      }
      return cuda(index);
    }
    throw new IllegalArgumentException("device '" + choice + "': expected auto, cpu, cuda or cuda:N");
  }

  @Override
  public String toString() {
    return type == Type.CPU ? "cpu" : "cuda:" + index;
  }
}
