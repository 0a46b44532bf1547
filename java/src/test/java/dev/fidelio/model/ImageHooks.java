package dev.fidelio.model;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;

import dev.fidelio.runtime.NativeCall;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.testing.FidelioTestingH;
import java.lang.foreign.MemorySegment;

/** The image encoders' test hook (native/testing/fidelio_testing.h, in libfidelio_testing.so only). */
public final class ImageHooks {
  private ImageHooks() {}

  /**
   * Train mode with dropout off, loss = sum(features * weight), then backward: gradients via
   * {@link ImageEncoder#gradient(int)}.
   */
  public static double lossGrad(ImageEncoder encoder, Tensor images, Tensor weight) {
    try (var call = NativeCall.open()) {
      MemorySegment loss = call.arena().allocate(JAVA_DOUBLE);
      call.check(FidelioTestingH.fdl_image_encoder_loss_grad(encoder.nativeHandle(), images.nativeHandle(),
          weight.nativeHandle(), loss, call.error(), call.errorCapacity()), "fdl_image_encoder_loss_grad");
      return loss.get(JAVA_DOUBLE, 0);
    }
  }
}
