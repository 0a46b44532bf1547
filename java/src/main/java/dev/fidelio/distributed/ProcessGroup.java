package dev.fidelio.distributed;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.fidelio.bindings.FidelioH;
import dev.fidelio.model.NativeModule;
import dev.fidelio.runtime.NativeCall;
import dev.fidelio.runtime.NativeObject;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * A c10d process group (native): rendezvous at the master's TCPStore, Gloo collectives on CPU
 * (NCCL on CUDA builds). Every collective fails within the timeout, naming the rank that stopped.
 */
public final class ProcessGroup extends NativeObject {
  /** Codes of FDL_DIST_BACKEND_*, in order. */
  public enum Backend { GLOO, NCCL }

  private final int rank;
  private final int worldSize;

  private ProcessGroup(MemorySegment handle, int rank, int worldSize) {
    super("ProcessGroup", handle, FidelioH::fdl_process_group_free);
    this.rank = rank;
    this.worldSize = worldSize;
  }

  /** Blocks until all worldSize ranks have joined (or the timeout passed). */
  public static ProcessGroup join(WorkerEnvironment env, Backend backend, Duration timeout) {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.allocatePointer();
      call.check(FidelioH.fdl_process_group_new(call.arena().allocateFrom(env.masterAddr()), env.masterPort(),
          env.rank(), env.worldSize(), backend.ordinal(), timeout.toMillis(), out, call.error(), call.errorCapacity()),
          "fdl_process_group_new");
      return new ProcessGroup(handleFrom(out), env.rank(), env.worldSize());
    }
  }

  public static boolean ncclAvailable() {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.arena().allocate(JAVA_INT);
      call.check(FidelioH.fdl_process_group_nccl_available(out, call.error(), call.errorCapacity()),
          "fdl_process_group_nccl_available");
      return out.get(JAVA_INT, 0) != 0;
    }
  }

  public int rank() {
    return rank;
  }

  public int worldSize() {
    return worldSize;
  }

  public void barrier() {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_process_group_barrier(handle(), call.error(), call.errorCapacity()),
          "fdl_process_group_barrier");
    }
  }

  /** The element-wise sum of values over all ranks. */
  public double[] allReduceSum(double... values) {
    try (var call = NativeCall.open()) {
      MemorySegment buffer = call.arena().allocateFrom(JAVA_DOUBLE, values);
      call.check(FidelioH.fdl_process_group_all_reduce_sum(handle(), buffer, values.length, call.error(),
          call.errorCapacity()), "fdl_process_group_all_reduce_sum");
      return buffer.toArray(JAVA_DOUBLE);
    }
  }

  /** root's values, on every rank. */
  public double[] broadcast(int root, double... values) {
    try (var call = NativeCall.open()) {
      MemorySegment buffer = call.arena().allocateFrom(JAVA_DOUBLE, values);
      call.check(FidelioH.fdl_process_group_broadcast(handle(), buffer, values.length, root, call.error(),
          call.errorCapacity()), "fdl_process_group_broadcast");
      return buffer.toArray(JAVA_DOUBLE);
    }
  }

  /** Every parameter and buffer of module becomes root's. */
  public void broadcastModule(NativeModule module, int root) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_process_group_broadcast_module(handle(), module.nativeHandle(), root, call.error(),
          call.errorCapacity()), "fdl_process_group_broadcast_module");
    }
  }

  MemorySegment nativeHandle() {
    return handle();
  }
}
