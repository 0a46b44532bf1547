package dev.fidelio.runtime;

import dev.fidelio.bindings.FidelioH;

/** The status codes of the C ABI (fidelio.h, FDL_OK and FDL_ERR_*). */
public enum Status {
  OK(FidelioH.FDL_OK),
  INVALID_ARGUMENT(FidelioH.FDL_ERR_INVALID_ARGUMENT),
  INVALID_HANDLE(FidelioH.FDL_ERR_INVALID_HANDLE),
  OUT_OF_MEMORY(FidelioH.FDL_ERR_OUT_OF_MEMORY),
  TORCH_ERROR(FidelioH.FDL_ERR_TORCH),
  UNSUPPORTED(FidelioH.FDL_ERR_UNSUPPORTED),
  INTERNAL(FidelioH.FDL_ERR_INTERNAL),
  UNKNOWN(-1);

  private final int code;

  Status(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static Status of(int code) {
    for (Status s : values()) {
      if (s.code == code) return s;
    }
    return UNKNOWN;
  }
}
