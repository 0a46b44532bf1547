package dev.fidelio.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToIntFunction;

/**
 * The one Java owner of one native handle. The handle lives in this object's own Arena, whose
 * cleanup calls the native _free; close() closes the arena, so native memory goes exactly when
 * the owner says so, never when the garbage collector gets round to it. close() is idempotent;
 * any use after it throws.
 */
public abstract class NativeObject implements AutoCloseable {
  /** Who may use and close the handle. */
  protected enum Sharing {
    /** Any thread (models: the server predicts on several). */
    THREADS,
    /**
     * The thread that made it (a batch's tensors): closing a shared arena makes the JVM handshake
     * with every thread, 20-45 µs measured here against 0.02 µs for a confined one, and a training
     * step closes one tensor per input feature. Another thread's use or close throws.
     */
    OWNER_THREAD
  }

  private final String kind;
  private final Arena arena;
  private final MemorySegment handle;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile int freeStatus = Status.OK.code();

  protected NativeObject(String kind, MemorySegment rawHandle, ToIntFunction<MemorySegment> free) {
    this(kind, rawHandle, free, Sharing.THREADS);
  }

  protected NativeObject(String kind, MemorySegment rawHandle, ToIntFunction<MemorySegment> free, Sharing sharing) {
    this.kind = kind;
    this.arena = sharing == Sharing.THREADS ? Arena.ofShared() : Arena.ofConfined();
    this.handle = rawHandle.reinterpret(arena, segment -> freeStatus = free.applyAsInt(segment));
  }

  /** The live native handle; throws when this owner is closed. */
  protected final MemorySegment handle() {
    if (closed.get()) throw new FidelioException(Status.INVALID_HANDLE, kind + " is closed; it cannot be used any more");
    return handle;
  }

  public final boolean isClosed() {
    return closed.get();
  }

  @Override
  public final void close() {
    if (!closed.compareAndSet(false, true)) return;
    arena.close();
    if (freeStatus != Status.OK.code()) {
      throw NativeCall.failure(freeStatus, kind + ".close", "the native handle was not live (freed twice?)");
    }
  }

  /** Reads the handle that a native constructor wrote into an out-pointer. */
  protected static MemorySegment handleFrom(MemorySegment outPointer) {
    return outPointer.get(java.lang.foreign.ValueLayout.ADDRESS, 0);
  }
}
