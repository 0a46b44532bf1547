package dev.fidelio.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Scratch memory for one or a few downcalls: the error buffer every fallible entry point writes
 * into, and a confined arena for out-parameters. The error buffer is per call, not thread-local,
 * because virtual threads may move between carrier threads.
 */
public final class NativeCall implements AutoCloseable {
  static final long ERROR_CAPACITY = 2048;

  private final Arena arena = Arena.ofConfined();
  private final MemorySegment error = arena.allocate(ERROR_CAPACITY);

  private NativeCall() {}

  public static NativeCall open() {
    NativeLibrary.ensureLoaded();
    return new NativeCall();
  }

  public Arena arena() {
    return arena;
  }

  public MemorySegment error() {
    return error;
  }

  public long errorCapacity() {
    return ERROR_CAPACITY;
  }

  public MemorySegment allocatePointer() {
    return arena.allocate(ValueLayout.ADDRESS);
  }

  /** Throws a FidelioException carrying the native message unless status is FDL_OK. */
  public void check(int status, String function) {
    if (status != Status.OK.code()) throw failure(status, function, error.getString(0));
  }

  static FidelioException failure(int code, String function, String nativeMessage) {
    Status status = Status.of(code);
    String detail = nativeMessage == null || nativeMessage.isEmpty() ? status.name().toLowerCase() : nativeMessage;
    return new FidelioException(status, function + ": " + detail);
  }

  @Override
  public void close() {
    arena.close();
  }
}
