package dev.fidelio.model;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;

import dev.fidelio.config.TextEncoder.ReduceOutput;
import dev.fidelio.runtime.NativeCall;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.testing.FidelioTestingH;
import java.lang.foreign.MemorySegment;

/** The BERT encoder's test hook (native/testing/fidelio_testing.h, in libfidelio_testing.so only). */
public final class BertHooks {
  private BertHooks() {}

  /** loss = sum(output * weight) with dropout off, then backward: gradients via {@link TextEncoderModel#gradient(int)}. */
  public static double lossGrad(TextEncoderModel bert, Tensor inputIds, Tensor attentionMask, ReduceOutput reduce, Tensor weight) {
    try (var call = NativeCall.open()) {
      MemorySegment loss = call.arena().allocate(JAVA_DOUBLE);
      call.check(FidelioTestingH.fdl_text_encoder_loss_grad(bert.nativeHandle(), inputIds.nativeHandle(),
          attentionMask.nativeHandle(), reduce.abiCode(), weight.nativeHandle(), loss, call.error(),
          call.errorCapacity()), "fdl_text_encoder_loss_grad");
      return loss.get(JAVA_DOUBLE, 0);
    }
  }
}
