package dev.fidelio.model;

import dev.fidelio.bindings.FidelioH;
import dev.fidelio.runtime.DType;
import dev.fidelio.runtime.NativeCall;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.weights.NamedTensor;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A native torchvision ResNet image encoder without its fc head; its state names are torchvision's
 * checkpoint keys ({@code conv1.weight}, {@code layer1.0.bn1.running_mean}, ...).
 */
public final class ResNet extends NativeModule {
  /** torchvision's classification head, which Fidelio replaces by its combiner and decoders. */
  public static final String HEAD_PREFIX = "fc.";

  private final int variant;

  private ResNet(MemorySegment handle, int variant) {
    super("ResNet", handle, FidelioH::fdl_resnet_free);
    this.variant = variant;
  }

  /** torchvision's random initialisation (use_pretrained: false), float32. */
  public static ResNet create(int variant, int inChannels, long seed) {
    return create(variant, inChannels, DType.FLOAT32, seed);
  }

  public static ResNet create(int variant, int inChannels, DType dtype, long seed) {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.allocatePointer();
      call.check(FidelioH.fdl_resnet_new(variant, inChannels, dtype.code(), seed, out, call.error(),
          call.errorCapacity()), "fdl_resnet_new");
      return new ResNet(handleFrom(out), variant);
    }
  }

  /** Width of the pooled features: 512 for resnet18/34, 2048 for the bottleneck variants. */
  public static int featureSize(int variant) {
    return variant >= 50 ? 2048 : 512;
  }

  public int variant() {
    return variant;
  }

  /**
   * Strict loading of a torchvision state_dict: every key of the model must be given and match in
   * shape; the fc head's keys are skipped (Fidelio's decoders replace it); any other extra key fails.
   * A missing {@code num_batches_tracked} counter starts at 0, as PyTorch's BatchNorm does for the
   * checkpoints torchvision published before it existed (and safetensors files, which skip integers).
   */
  public void load(Iterable<NamedTensor> weights) {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    try {
      for (NamedTensor t : weights) {
        if (t.name().startsWith(HEAD_PREFIX)) continue;
        tensors.put(t.name(), Tensor.of(t.data(), t.shape()));
      }
      for (String name : stateNames()) {
        if (name.endsWith(".num_batches_tracked") && !tensors.containsKey(name)) {
          tensors.put(name, Tensor.of(new long[] {0}));
        }
      }
      loadState(tensors, List.of());
    } finally {
      tensors.values().forEach(Tensor::close);
    }
  }

  /** The pooled features [B, 512 or 2048] of images [B, C, H, W], in evaluation mode, no autograd. */
  public Tensor forward(Tensor images) {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.allocatePointer();
      call.check(FidelioH.fdl_resnet_forward(handle(), images.nativeHandle(), out, call.error(), call.errorCapacity()),
          "fdl_resnet_forward");
      return Tensor.adopt(handleFrom(out));
    }
  }
}
