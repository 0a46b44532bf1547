package dev.fidelio.model;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

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
 * A native torchvision image encoder of any family Ludwig 0.10 names (resnet, vgg, squeezenet, ...),
 * cut where Ludwig cuts it; its state names are torchvision's checkpoint keys ({@code conv1.weight},
 * {@code features.0.weight}, {@code layer1.0.bn1.running_mean}, ...).
 */
public final class ImageEncoder extends NativeModule {
  private final String type;
  private final String variant;

  private ImageEncoder(MemorySegment handle, String type, String variant) {
    super("ImageEncoder", handle, FidelioH::fdl_image_encoder_free);
    this.type = type;
    this.variant = variant;
  }

  /** torchvision's random initialisation (use_pretrained: false), float32, 3 input channels. */
  public static ImageEncoder create(String type, String variant, long seed) {
    return create(type, variant, 3, DType.FLOAT32, seed);
  }

  /** inChannels other than 3 (1..4) only for resnet; an unknown type or variant names the known ones. */
  public static ImageEncoder create(String type, String variant, int inChannels, DType dtype, long seed) {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.allocatePointer();
      call.check(FidelioH.fdl_image_encoder_new(call.arena().allocateFrom(type), call.arena().allocateFrom(variant), inChannels, dtype.code(), seed,
          out, call.error(), call.errorCapacity()), "fdl_image_encoder_new");
      return new ImageEncoder(handleFrom(out), type, variant);
    }
  }

  public String type() {
    return type;
  }

  public String variant() {
    return variant;
  }

  /** The width of the features {@link #forward} returns (512 for resnet18, 4096 for vgg, ...). */
  public int featureSize() {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.arena().allocate(JAVA_LONG);
      call.check(FidelioH.fdl_image_encoder_feature_size(handle(), out, call.error(), call.errorCapacity()),
          "fdl_image_encoder_feature_size");
      return Math.toIntExact(out.get(JAVA_LONG, 0));
    }
  }

  /**
   * Strict loading of a torchvision state_dict: every key of the model must be given and match in
   * shape; the keys under removedPrefixes (the layer Ludwig replaces by Identity, e.g. {@code fc.})
   * are skipped; any other extra key fails. A missing {@code num_batches_tracked} counter starts at
   * 0, as PyTorch's BatchNorm does for the checkpoints torchvision published before it existed (and
   * safetensors files, which skip integers).
   */
  public void load(Iterable<NamedTensor> weights, List<String> removedPrefixes) {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    try {
      for (NamedTensor t : weights) {
        if (removedPrefixes.stream().anyMatch(t.name()::startsWith)) continue;
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

  /** The features [B, featureSize] of images [B, C, H, W], in evaluation mode, no autograd. */
  public Tensor forward(Tensor images) {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.allocatePointer();
      call.check(FidelioH.fdl_image_encoder_forward(handle(), images.nativeHandle(), out, call.error(),
          call.errorCapacity()), "fdl_image_encoder_forward");
      return Tensor.adopt(handleFrom(out));
    }
  }
}
