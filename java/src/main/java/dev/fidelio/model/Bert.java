package dev.fidelio.model;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.fidelio.bindings.FidelioH;
import dev.fidelio.config.TextEncoder.ReduceOutput;
import dev.fidelio.runtime.DType;
import dev.fidelio.runtime.NativeCall;
import dev.fidelio.runtime.NativeStructs;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.weights.BertConfig;
import dev.fidelio.weights.NamedTensor;
import dev.fidelio.weights.PretrainedBert;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A native BERT encoder (HF BertModel) through the family-neutral text encoder handle
 * (fdl_text_encoder_*, chosen by config.json's model_type); its state names are HF's checkpoint keys.
 */
public final class Bert extends NativeModule {
  private final BertConfig config;

  private Bert(MemorySegment handle, BertConfig config) {
    super("Bert", handle, FidelioH::fdl_text_encoder_free);
    this.config = config;
  }

  /**
   * Rows (sequences) every BERT encoder of this process has run forward so far, however it was
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
    static ConfigValue number(String key, double value) {
      return new ConfigValue(key, FidelioH.FDL_CONFIG_NUMBER, value, null);
    }

    static ConfigValue text(String key, String value) {
      return new ConfigValue(key, FidelioH.FDL_CONFIG_TEXT, 0, value);
    }
  }

  /** fdl_hf_config: the fields the native family reads. */
  private record HfConfig(List<ConfigValue> values) {}

  /** HF's initializer_range default; config.json files rarely change it and Ludwig never does. */
  private static final double INITIALIZER_RANGE = 0.02;

  private static HfConfig hfConfig(BertConfig c) {
    return new HfConfig(List.of(ConfigValue.text("model_type", "bert"), ConfigValue.text("hidden_act", c.hiddenAct()),
        ConfigValue.number("vocab_size", c.vocabSize()), ConfigValue.number("hidden_size", c.hiddenSize()),
        ConfigValue.number("num_hidden_layers", c.numHiddenLayers()),
        ConfigValue.number("num_attention_heads", c.numAttentionHeads()),
        ConfigValue.number("intermediate_size", c.intermediateSize()),
        ConfigValue.number("max_position_embeddings", c.maxPositionEmbeddings()),
        ConfigValue.number("type_vocab_size", c.typeVocabSize()), ConfigValue.number("layer_norm_eps", c.layerNormEps()),
        ConfigValue.number("hidden_dropout_prob", c.hiddenDropoutProb()),
        ConfigValue.number("attention_probs_dropout_prob", c.attentionProbsDropoutProb()),
        ConfigValue.number("pad_token_id", c.padTokenId()), ConfigValue.number("initializer_range", INITIALIZER_RANGE)));
  }

  /** HF's random initialisation (use_pretrained: false), float32. */
  public static Bert create(BertConfig config, long seed) {
    return create(config, DType.FLOAT32, seed);
  }

  /** HF's random initialisation with parameters of dtype (FLOAT32, or FLOAT64 for gradient checks). */
  public static Bert create(BertConfig config, DType dtype, long seed) {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.allocatePointer();
      MemorySegment spec = NativeStructs.write(call.arena(), FidelioH.fdl_hf_config, hfConfig(config));
      call.check(FidelioH.fdl_text_encoder_new(spec, dtype.code(), seed, out, call.error(), call.errorCapacity()),
          "fdl_text_encoder_new");
      return new Bert(handleFrom(out), config);
    }
  }

  /**
   * The pretrained encoder: created from its config, then every weight loaded strictly. Only the
   * pooler may be absent (as HF allows): it keeps its random initialisation and is returned in notes.
   */
  public static Bert pretrained(PretrainedBert source, long seed, List<String> notes) {
    Bert bert = create(source.config(), seed);
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

  public BertConfig config() {
    return config;
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
