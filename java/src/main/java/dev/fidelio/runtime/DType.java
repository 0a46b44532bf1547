package dev.fidelio.runtime;

import dev.fidelio.bindings.FidelioH;

/** Element types that cross the native boundary. */
public enum DType {
  FLOAT32(FidelioH.FDL_DTYPE_FLOAT32, 4),
  FLOAT64(FidelioH.FDL_DTYPE_FLOAT64, 8),
  INT64(FidelioH.FDL_DTYPE_INT64, 8),
  BFLOAT16(FidelioH.FDL_DTYPE_BFLOAT16, 2),
  INT32(FidelioH.FDL_DTYPE_INT32, 4);

  private final int code;
  private final int byteSize;

  DType(int code, int byteSize) {
    this.code = code;
    this.byteSize = byteSize;
  }

  public int code() {
    return code;
  }

  public int byteSize() {
    return byteSize;
  }

  public static DType of(int code) {
    for (DType t : values()) {
      if (t.code == code) return t;
    }
    throw new FidelioException(Status.UNSUPPORTED, "unknown native dtype code " + code);
  }
}
