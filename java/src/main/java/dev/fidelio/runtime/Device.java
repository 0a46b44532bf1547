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

  @Override
  public String toString() {
    return type == Type.CPU ? "cpu" : "cuda:" + index;
  }
}
