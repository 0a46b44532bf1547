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

/** A native BERT-family encoder (HF BertModel); its state names are HF's checkpoint keys. */
public final class Bert extends NativeModule {
  private final BertConfig config;

  private Bert(MemorySegment handle, BertConfig config) {
    super("Bert", handle, FidelioH::fdl_bert_free);
    this.config = config;
  }

  /**
   * Rows (sequences) every BERT encoder of this process has run forward so far, however it was
   * called: the difference over a run proves which encoder work it skipped.
   */
  public static long forwardRows() {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.arena().allocate(JAVA_LONG);
      call.check(FidelioH.fdl_bert_forward_rows(out, call.error(), call.errorCapacity()),
          "fdl_bert_forward_rows");
      return out.get(JAVA_LONG, 0);
    }
  }

  /** fdl_bert_config: config.json's fields as the native encoder takes them (hidden_act as its code). */
  private record ConfigSpec(long vocabSize, long hiddenSize, long numHiddenLayers, long numAttentionHeads,
                            long intermediateSize, int hiddenAct, long maxPositionEmbeddings, long typeVocabSize,
                            double layerNormEps, double hiddenDropoutProb, double attentionProbsDropoutProb,
                            long padTokenId, double initializerRange) {}

  /** HF's initializer_range default; config.json files rarely change it and Ludwig never does. */
  private static final double INITIALIZER_RANGE = 0.02;

  /** HF's random initialisation (use_pretrained: false), float32. */
  public static Bert create(BertConfig config, long seed) {
    return create(config, DType.FLOAT32, seed);
  }

  /** HF's random initialisation with parameters of dtype (FLOAT32, or FLOAT64 for gradient checks). */
  public static Bert create(BertConfig config, DType dtype, long seed) {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.allocatePointer();
      var spec = new ConfigSpec(config.vocabSize(), config.hiddenSize(), config.numHiddenLayers(),
          config.numAttentionHeads(), config.intermediateSize(), activationCode(config.hiddenAct()),
          config.maxPositionEmbeddings(), config.typeVocabSize(), config.layerNormEps(), config.hiddenDropoutProb(),
          config.attentionProbsDropoutProb(), config.padTokenId(), INITIALIZER_RANGE);
      call.check(FidelioH.fdl_bert_new(NativeStructs.write(call.arena(), FidelioH.fdl_bert_config, spec), dtype.code(),
          seed, out, call.error(), call.errorCapacity()), "fdl_bert_new");
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

  /** Evaluation mode, no autograd; tokenTypeIds may be null (zeros). */
  public Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds, ReduceOutput reduce) {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.allocatePointer();
      call.check(FidelioH.fdl_bert_forward(handle(), inputIds.nativeHandle(), attentionMask.nativeHandle(),
          tokenTypeIds == null ? MemorySegment.NULL : tokenTypeIds.nativeHandle(), reduce.abiCode(), out, call.error(),
          call.errorCapacity()), "fdl_bert_forward");
      return Tensor.adopt(handleFrom(out));
    }
  }

  /** Frozen: no gradients, evaluation mode. */
  public void setTrainable(boolean trainable) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_bert_set_trainable(handle(), trainable ? 1 : 0, call.error(), call.errorCapacity()),
          "fdl_bert_set_trainable");
    }
  }

  private static int activationCode(String hiddenAct) {
    return switch (hiddenAct) {
      case "gelu" -> FidelioH.FDL_BERT_ACT_GELU;
      case "gelu_new", "gelu_pytorch_tanh" -> FidelioH.FDL_BERT_ACT_GELU_TANH;
      case "relu" -> FidelioH.FDL_BERT_ACT_RELU;
      default -> throw new IllegalArgumentException("hidden_act '" + hiddenAct
          + "' is not supported by Fidelio's BERT (gelu, gelu_new, gelu_pytorch_tanh, relu)");
    };
  }
}
