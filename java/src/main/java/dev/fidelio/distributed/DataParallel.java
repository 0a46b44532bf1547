package dev.fidelio.distributed;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.fidelio.bindings.FidelioH;
import dev.fidelio.config.Backend.Strategy;
import dev.fidelio.model.EcdModel;
import dev.fidelio.runtime.NativeCall;
import dev.fidelio.runtime.NativeObject;
import java.lang.foreign.MemorySegment;

/**
 * Gradient synchronisation inside an ECD model's native train step (see fdl_data_parallel_new):
 * DDP all-reduces bucketed gradients, ZeRO-1 reduces each gradient to its owner rank, which alone
 * keeps optimizer state for it and broadcasts the updated parameter.
 */
public final class DataParallel extends NativeObject {
  /** torch DDP's default bucket_cap_mb. */
  public static final long DEFAULT_BUCKET_BYTES = 25L << 20;

  private DataParallel(MemorySegment handle) {
    super("DataParallel", handle, FidelioH::fdl_data_parallel_free);
  }

  /** Synchronises model's train steps from now on; ZeRO-1 recreates its optimizer over the owned shard. */
  public static DataParallel attach(ProcessGroup group, EcdModel model, Strategy strategy, long bucketBytes) {
    DataParallel sync;
    try (var call = NativeCall.open()) {
      MemorySegment out = call.allocatePointer();
      call.check(FidelioH.fdl_data_parallel_new(group.nativeHandle(), model.nativeHandle(), strategy.abiCode(),
          bucketBytes, out, call.error(), call.errorCapacity()), "fdl_data_parallel_new");
      sync = new DataParallel(handleFrom(out));
    }
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_ecd_set_data_parallel(model.nativeHandle(), sync.handle(), call.error(),
          call.errorCapacity()), "fdl_ecd_set_data_parallel");
    } catch (RuntimeException e) {
      sync.close();
      throw e;
    }
    return sync;
  }

  /** This rank's rows over the global batch's rows for the next train step. */
  public void setShare(double share) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_data_parallel_set_share(handle(), share, call.error(), call.errorCapacity()),
          "fdl_data_parallel_set_share");
    }
  }

  /** {bytes of the parameters this rank updates and keeps optimizer state for, bytes of all}. */
  public long[] parameterBytes() {
    try (var call = NativeCall.open()) {
      MemorySegment updated = call.arena().allocate(JAVA_LONG);
      MemorySegment total = call.arena().allocate(JAVA_LONG);
      call.check(FidelioH.fdl_data_parallel_parameter_bytes(handle(), updated, total, call.error(),
          call.errorCapacity()), "fdl_data_parallel_parameter_bytes");
      return new long[] {updated.get(JAVA_LONG, 0), total.get(JAVA_LONG, 0)};
    }
  }
}
