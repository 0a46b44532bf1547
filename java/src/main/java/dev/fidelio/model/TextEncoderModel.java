package dev.fidelio.model;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.fidelio.bindings.FidelioH;
import dev.fidelio.config.TextEncoder.ReduceOutput;
import dev.fidelio.runtime.DType;
import dev.fidelio.runtime.NativeCall;
import dev.fidelio.runtime.NativeStructs;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.weights.NamedTensor;
import dev.fidelio.weights.PretrainedEncoder;
import dev.fidelio.weights.TextEncoderInfo;
import dev.fidelio.weights.TransformerConfig;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A native pretrained text encoder (HF AutoModel: BERT, RoBERTa, DeBERTa-v2, ...) through the family-neutral
 * handle fdl_text_encoder_*, its family chosen by config.json's model_type; its state names are HF's
 * checkpoint keys (without the task model's prefix).
 */
public final class TextEncoderModel extends NativeModule {
  private final TransformerConfig config;

  private TextEncoderModel(MemorySegment handle, TransformerConfig config) {
    super("TextEncoderModel", handle, FidelioH::fdl_text_encoder_free);
    this.config = config;
  }

  /**
   * Rows (sequences) every text encoder of this process has run forward so far, however it was
   * called: the difference over a run proves which encoder work it skipped.
   */
  public static long forwardRows() {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.arena().allocate(JAVA_LONG);
      call.check(FidelioH.fdl_text_encoder_forward_rows(out, call.error(), call.errorCapacity()),
          "fdl_text_encoder_forward_rows");
      return out.get(JAVA_LONG, 0);
    }
  }

  /** fdl_config_value: one config.json field (kind an FDL_CONFIG_* code). */
  private record ConfigValue(String key, int kind, double number, String text) {
    static ConfigValue of(String key, Object value) {
      return switch (value) {
        case Number n -> new ConfigValue(key, FidelioH.FDL_CONFIG_NUMBER, n.doubleValue(), null);
        case Boolean b -> new ConfigValue(key, FidelioH.FDL_CONFIG_BOOLEAN, b ? 1 : 0, null);
        case String t -> new ConfigValue(key, FidelioH.FDL_CONFIG_TEXT, 0, t);
        case List<?> l -> new ConfigValue(key, FidelioH.FDL_CONFIG_TEXTS, 0,
            String.join(TransformerConfig.LIST_SEPARATOR, l.stream().map(Object::toString).toList()));
        default -> throw new IllegalArgumentException("config.json " + key + ": unsupported value " + value);
      };
    }
  }

  /** fdl_hf_config: every field of config.json; the native family reads what it uses. */
  private record HfConfig(List<ConfigValue> values) {}

  private static HfConfig hfConfig(TransformerConfig c) {
    return new HfConfig(c.fields().entrySet().stream().map(e -> ConfigValue.of(e.getKey(), e.getValue())).toList());
  }

  /** HF's random initialisation (use_pretrained: false), float32. */
  public static TextEncoderModel create(TransformerConfig config, long seed) {
    return create(config, DType.FLOAT32, seed);
  }

  /** HF's random initialisation with parameters of dtype (FLOAT32, or FLOAT64 for gradient checks). */
  public static TextEncoderModel create(TransformerConfig config, DType dtype, long seed) {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.allocatePointer();
      MemorySegment spec = NativeStructs.write(call.arena(), FidelioH.fdl_hf_config, hfConfig(config));
      call.check(FidelioH.fdl_text_encoder_new(spec, dtype.code(), seed, out, call.error(), call.errorCapacity()),
          "fdl_text_encoder_new");
      return new TextEncoderModel(handleFrom(out), config);
    }
  }

  /**
   * The pretrained encoder: created from its config, then every weight loaded strictly. Only the
   * pooler may be absent (as HF allows): it keeps its random initialisation and is returned in notes.
   */
  public static TextEncoderModel pretrained(PretrainedEncoder source, long seed, List<String> notes) {
    TextEncoderModel bert = create(source.config(), seed);
    try {
      notes.addAll(bert.load(source.weights(), List.of("pooler.")).stream()
          .map(k -> k + " is not in " + source.source() + ": initialised at random (as Hugging Face does)").toList());
      return bert;
    } catch (RuntimeException e) {
      bert.close();
      throw e;
    }
  }

  /** Strict loading of named float32 weights; returns the keys left at initialisation. */
  public List<String> load(Iterable<NamedTensor> weights, List<String> allowMissingPrefixes) {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    try {
      for (NamedTensor t : weights) tensors.put(t.name(), Tensor.of(t.data(), t.shape()));
      return loadState(tensors, allowMissingPrefixes);
    } finally {
      tensors.values().forEach(Tensor::close);
    }
  }

  public TransformerConfig config() {
    return config;
  }

  /** The sizes the native family built from the config (its defaults applied). */
  public TextEncoderInfo describe() {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.arena().allocate(FidelioH.fdl_text_encoder_info);
      call.check(FidelioH.fdl_text_encoder_describe(handle(), out, call.error(), call.errorCapacity()),
          "fdl_text_encoder_describe");
      return NativeStructs.read(out, FidelioH.fdl_text_encoder_info, TextEncoderInfo.class);
    }
  }

  /** What config builds, without keeping the encoder: checks the config early and gives the sizes. */
  public static TextEncoderInfo describe(TransformerConfig config) {
    try (TextEncoderModel probe = create(config, 0)) {
      return probe.describe();
    }
  }

  /** Evaluation mode, no autograd; token types are all 0. */
  public Tensor forward(Tensor inputIds, Tensor attentionMask, ReduceOutput reduce) {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.allocatePointer();
      call.check(FidelioH.fdl_text_encoder_forward(handle(), inputIds.nativeHandle(), attentionMask.nativeHandle(),
          reduce.abiCode(), out, call.error(), call.errorCapacity()), "fdl_text_encoder_forward");
      return Tensor.adopt(handleFrom(out));
    }
  }

  /** Frozen: no gradients, evaluation mode. */
  public void setTrainable(boolean trainable) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_text_encoder_set_trainable(handle(), trainable ? 1 : 0, call.error(),
          call.errorCapacity()), "fdl_text_encoder_set_trainable");
    }
  }
}
