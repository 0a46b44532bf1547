package dev.fidelio.model;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.fidelio.bindings.FidelioH;
import dev.fidelio.runtime.Device;
import dev.fidelio.runtime.NativeCall;
import dev.fidelio.runtime.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The native ECD model (Ludwig's encoder-combiner-decoder). Built step by step: inputs, outputs,
 * then {@link #build}; trained with one native call per batch ({@link #trainStep}).
 */
public final class EcdModel extends NativeModule {
  /**
   * One fully connected layer (of the concat combiner, a decoder or a dense scalar encoder) with its
   * norm's parameters; useBias false drops the linear map's bias (Ludwig's use_bias).
   */
  public record FcLayer(long outputSize, Activation activation, double dropout, Norm norm, NormParams normParams,
                        boolean useBias) {
    public FcLayer(long outputSize, Activation activation, double dropout, Norm norm, NormParams normParams) {
      this(outputSize, activation, dropout, norm, normParams, true);
    }
  }

  /** Codes of FDL_ACTIVATION_*, in order. */
  public enum Activation { RELU, TANH, SIGMOID, GELU, ELU, LEAKY_RELU, NONE }

  /** Codes of FDL_NORM_*, in order. */
  public enum Norm { NONE, BATCH, LAYER, GHOST }

  /** Ghost/batch/layer norm parameters of one layer (virtualBatchSize: ghost only). */
  public record NormParams(long virtualBatchSize, double momentum, double epsilon) {}

  /** Codes of FDL_NUMBER_LOSS_*, in order. */
  public enum NumberLoss { MEAN_SQUARED_ERROR, MEAN_ABSOLUTE_ERROR, ROOT_MEAN_SQUARED_ERROR }

  /** The loss of a batch and each output's predictions (probabilities or values). */
  public record Evaluation(double loss, List<Tensor> predictions) implements AutoCloseable {
    @Override
    public void close() {
      predictions.forEach(Tensor::close);
    }
  }

  private int outputCount;
  private Device device = Device.CPU;

  private EcdModel(MemorySegment handle) {
    super("EcdModel", handle, FidelioH::fdl_ecd_free);
  }

  public static EcdModel create(long seed) {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.allocatePointer();
      call.check(FidelioH.fdl_ecd_new(seed, out, call.error(), call.errorCapacity()), "fdl_ecd_new");
      return new EcdModel(handleFrom(out));
    }
  }

  /** The encoder module is shared: closing encoder afterwards leaves it alive inside this model. */
  public void addTextInput(String name, Bert encoder, Bert.Reduce reduce, boolean trainable) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_ecd_add_text_input(handle(), call.arena().allocateFrom(name), encoder.nativeHandle(),
          reduce.ordinal(), trainable ? 1 : 0, call.error(), call.errorCapacity()), "fdl_ecd_add_text_input");
    }
  }

  /** The encoder module is shared: closing encoder afterwards leaves it alive inside this model. */
  public void addImageInput(String name, ResNet encoder, boolean trainable) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_ecd_add_image_input(handle(), call.arena().allocateFrom(name), encoder.nativeHandle(),
          trainable ? 1 : 0, call.error(), call.errorCapacity()), "fdl_ecd_add_image_input");
    }
  }

  public void addEmbeddingInput(String name, long size) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_ecd_add_embedding_input(handle(), call.arena().allocateFrom(name), size, call.error(),
          call.errorCapacity()), "fdl_ecd_add_embedding_input");
    }
  }

  /** A number or binary input (float [B] per batch); no layers: passthrough, else the dense encoder. */
  public void addScalarInput(String name, List<FcLayer> layers) {
    try (var call = NativeCall.open()) {
      FcArrays fc = FcArrays.of(call.arena(), layers);
      call.check(FidelioH.fdl_ecd_add_scalar_input(handle(), call.arena().allocateFrom(name), fc.ints(), fc.reals(),
          layers.size(), call.error(), call.errorCapacity()), "fdl_ecd_add_scalar_input");
    }
  }

  /** A category input (int64 class ids [B]); embeddingSize 0 is the one-hot encoder. */
  public void addCategoryInput(String name, long vocabSize, long embeddingSize, boolean trainable, double dropout) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_ecd_add_category_input(handle(), call.arena().allocateFrom(name), vocabSize,
          embeddingSize, trainable ? 1 : 0, dropout, call.error(), call.errorCapacity()), "fdl_ecd_add_category_input");
    }
  }

  /** classWeights may be empty (no weighting). */
  public void addCategoryOutput(String name, long numClasses, float[] classWeights, double lossWeight) {
    try (var call = NativeCall.open()) {
      MemorySegment weights = classWeights.length == 0 ? MemorySegment.NULL
          : call.arena().allocateFrom(JAVA_FLOAT, classWeights);
      call.check(FidelioH.fdl_ecd_add_category_output(handle(), call.arena().allocateFrom(name), numClasses, weights,
          classWeights.length, lossWeight, call.error(), call.errorCapacity()), "fdl_ecd_add_category_output");
      outputCount++;
    }
  }

  public void addBinaryOutput(String name, double positiveClassWeight, double lossWeight) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_ecd_add_binary_output(handle(), call.arena().allocateFrom(name), positiveClassWeight,
          lossWeight, call.error(), call.errorCapacity()), "fdl_ecd_add_binary_output");
      outputCount++;
    }
  }

  public void addNumberOutput(String name, NumberLoss loss, double lossWeight) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_ecd_add_number_output(handle(), call.arena().allocateFrom(name), loss.ordinal(),
          lossWeight, call.error(), call.errorCapacity()), "fdl_ecd_add_number_output");
      outputCount++;
    }
  }

  /** Ludwig's decoder fc_layers of output name (added already): layers between the combiner and its head. */
  public void setDecoderLayers(String name, List<FcLayer> layers) {
    try (var call = NativeCall.open()) {
      FcArrays fc = FcArrays.of(call.arena(), layers);
      call.check(FidelioH.fdl_ecd_set_decoder_layers(handle(), call.arena().allocateFrom(name), fc.ints(), fc.reals(),
          layers.size(), call.error(), call.errorCapacity()), "fdl_ecd_set_decoder_layers");
    }
  }

  /** Builds the concat combiner with these layers (residual: Ludwig's combiner.residual) and the output heads. */
  public void build(List<FcLayer> combinerLayers, boolean residual) {
    try (var call = NativeCall.open()) {
      FcArrays fc = FcArrays.of(call.arena(), combinerLayers);
      call.check(FidelioH.fdl_ecd_build(handle(), fc.ints(), fc.reals(), combinerLayers.size(), residual ? 1 : 0,
          call.error(), call.errorCapacity()), "fdl_ecd_build");
    }
  }

  /** The C ABI's fc layer rows: FDL_FC_INTS longs and FDL_FC_REALS doubles per layer. */
  private record FcArrays(MemorySegment ints, MemorySegment reals) {
    static FcArrays of(Arena arena, List<FcLayer> layers) {
      int n = layers.size();
      long[] ints = new long[Math.max(1, n) * FidelioH.FDL_FC_INTS];
      double[] reals = new double[Math.max(1, n) * FidelioH.FDL_FC_REALS];
      for (int i = 0; i < n; i++) {
        FcLayer layer = layers.get(i);
        int r = i * FidelioH.FDL_FC_INTS;
        ints[r] = layer.outputSize();
        ints[r + 1] = layer.activation().ordinal();
        ints[r + 2] = layer.norm().ordinal();
        ints[r + 3] = layer.normParams().virtualBatchSize();
        ints[r + 4] = layer.useBias() ? 1 : 0;
        int d = i * FidelioH.FDL_FC_REALS;
        reals[d] = layer.dropout();
        reals[d + 1] = layer.normParams().momentum();
        reals[d + 2] = layer.normParams().epsilon();
      }
      return new FcArrays(arena.allocateFrom(JAVA_LONG, ints), arena.allocateFrom(JAVA_DOUBLE, reals));
    }
  }

  /** Adam (decoupled false: L2 weight decay, torch.optim.Adam) or AdamW (decoupled true), replacing the optimizer. */
  public void setAdam(double beta1, double beta2, double eps, double weightDecay, boolean decoupled,
                      boolean excludeBiasAndNormFromWeightDecay) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_ecd_set_adam(handle(), beta1, beta2, eps, weightDecay, decoupled ? 1 : 0,
          excludeBiasAndNormFromWeightDecay ? 1 : 0, call.error(), call.errorCapacity()), "fdl_ecd_set_adam");
    }
  }

  /** torch.optim.SGD with momentum, dampening, Nesterov and L2 weight decay, replacing the optimizer. */
  public void setSgd(double momentum, double dampening, double weightDecay, boolean nesterov,
                     boolean excludeBiasAndNormFromWeightDecay) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_ecd_set_sgd(handle(), momentum, dampening, weightDecay, nesterov ? 1 : 0,
          excludeBiasAndNormFromWeightDecay ? 1 : 0, call.error(), call.errorCapacity()), "fdl_ecd_set_sgd");
    }
  }

  /** Clipping before each update: global norm, each gradient's norm, each value; 0 turns a kind off. */
  public void setGradientClipping(double maxGlobalNorm, double maxNorm, double maxValue) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_ecd_set_gradient_clipping(handle(), maxGlobalNorm, maxNorm, maxValue, call.error(),
          call.errorCapacity()), "fdl_ecd_set_gradient_clipping");
    }
  }

  /** The optimizer's state by name ("step", "exp_avg.0", ...), as copies the caller closes. */
  public Map<String, Tensor> optimizerState() {
    Map<String, Tensor> state = new LinkedHashMap<>();
    try (var call = NativeCall.open()) {
      MemorySegment count = call.arena().allocate(JAVA_INT);
      call.check(FidelioH.fdl_ecd_optimizer_state_count(handle(), count, call.error(), call.errorCapacity()),
          "fdl_ecd_optimizer_state_count");
      long capacity = 256;
      MemorySegment name = call.arena().allocate(capacity);
      for (int i = 0; i < count.get(JAVA_INT, 0); i++) {
        call.check(FidelioH.fdl_ecd_optimizer_state_name(handle(), i, name, capacity, call.error(),
            call.errorCapacity()), "fdl_ecd_optimizer_state_name");
        MemorySegment out = call.allocatePointer();
        call.check(FidelioH.fdl_ecd_optimizer_state_get(handle(), i, out, call.error(), call.errorCapacity()),
            "fdl_ecd_optimizer_state_get");
        state.put(name.getString(0), Tensor.adopt(handleFrom(out)));
      }
    }
    return state;
  }

  /** Overwrites (or creates) one optimizer state entry, as {@link #optimizerState} named it. */
  public void setOptimizerState(String name, Tensor value) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_ecd_optimizer_state_set(handle(), call.arena().allocateFrom(name), value.nativeHandle(),
          call.error(), call.errorCapacity()), "fdl_ecd_optimizer_state_set");
    }
  }

  /** Codes of FDL_PRECISION_*, in order. */
  public enum Precision { FLOAT32, BFLOAT16, FLOAT16 }

  /** Autocast for forward and loss (use_mixed_precision); FLOAT16 needs CUDA and scales the loss. */
  public void setPrecision(Precision precision) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_ecd_set_precision(handle(), precision.ordinal(), call.error(), call.errorCapacity()),
          "fdl_ecd_set_precision");
    }
  }

  /**
   * Moves the model and its optimizer state to device. Batches stay host tensors: each call moves
   * them there, and predictions come back on the host.
   */
  public void toDevice(Device device) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_ecd_to_device(handle(), device.type().code(), Math.max(0, device.index()), call.error(),
          call.errorCapacity()), "fdl_ecd_to_device");
      this.device = device;
    }
  }

  public Device device() {
    return device;
  }

  /**
   * trainer.compile: on CUDA each input shape's whole train step is captured as a CUDA graph and
   * replayed; elsewhere the step stays eager. Returns one line saying which, and why.
   */
  public String setCompile(boolean enabled) {
    try (var call = NativeCall.open()) {
      MemorySegment report = call.arena().allocate(512);
      call.check(FidelioH.fdl_ecd_set_compile(handle(), enabled ? 1 : 0, report, report.byteSize(), call.error(),
          call.errorCapacity()), "fdl_ecd_set_compile");
      return report.getString(0);
    }
  }

  /**
   * Captured CUDA graphs, steps replayed through them, steps of the compiled path run eagerly; on the
   * CPU the frozen TorchScript copies made for evaluation, the first batch's milliseconds frozen and
   * eager (0 before it; the faster serves; frozen is infinite when the copy answered differently) and
   * that batch's largest logit difference between the two, relative to the largest logit.
   */
  public record CompileStats(long graphs, long replays, long eagerSteps, long frozenCopies, double frozenMs,
                             double eagerMs, double frozenDifference) {}

  public CompileStats compileStats() {
    try (var call = NativeCall.open()) {
      MemorySegment counts = call.arena().allocate(JAVA_LONG, 4);
      MemorySegment reals = call.arena().allocate(JAVA_DOUBLE, 3);
      call.check(FidelioH.fdl_ecd_compile_stats(handle(), counts, counts.asSlice(8), counts.asSlice(16),
          counts.asSlice(24), reals, reals.asSlice(8), reals.asSlice(16), call.error(), call.errorCapacity()),
          "fdl_ecd_compile_stats");
      return new CompileStats(counts.getAtIndex(JAVA_LONG, 0), counts.getAtIndex(JAVA_LONG, 1),
          counts.getAtIndex(JAVA_LONG, 2), counts.getAtIndex(JAVA_LONG, 3), reals.getAtIndex(JAVA_DOUBLE, 0),
          reals.getAtIndex(JAVA_DOUBLE, 1), reals.getAtIndex(JAVA_DOUBLE, 2));
    }
  }

  public void setCachedEmbeddings(int inputIndex, boolean enabled) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_ecd_set_cached_embeddings(handle(), inputIndex, enabled ? 1 : 0, call.error(),
          call.errorCapacity()), "fdl_ecd_set_cached_embeddings");
    }
  }

  /** The frozen encoder's output [B, D] for input inputIndex's raw tensors (text: ids, mask; image: images). */
  public Tensor embed(int inputIndex, Tensor... rawInputs) {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.allocatePointer();
      call.check(FidelioH.fdl_ecd_embed(handle(), inputIndex, handles(call.arena(), List.of(rawInputs)),
          rawInputs.length, out, call.error(), call.errorCapacity()), "fdl_ecd_embed");
      return Tensor.adopt(handleFrom(out));
    }
  }

  /** One optimisation step on one batch; returns the batch loss before the update. */
  public double trainStep(List<Tensor> inputs, List<Tensor> targets, double learningRate) {
    return trainMicroBatch(inputs, targets, 1.0, true, true, learningRate);
  }

  /**
   * One micro-batch of an update that accumulates gradients: its loss counts lossScale (its share of
   * the update's rows); beginsUpdate drops the previous gradients, endsUpdate clips and steps the
   * optimizer at learningRate. Returns the micro-batch's unscaled loss.
   */
  public double trainMicroBatch(List<Tensor> inputs, List<Tensor> targets, double lossScale, boolean beginsUpdate,
                                boolean endsUpdate, double learningRate) {
    try (var call = NativeCall.open()) {
      MemorySegment loss = call.arena().allocate(JAVA_DOUBLE);
      call.check(FidelioH.fdl_ecd_train_step(handle(), handles(call.arena(), inputs), inputs.size(),
          handles(call.arena(), targets), targets.size(), lossScale, beginsUpdate ? 1 : 0, endsUpdate ? 1 : 0,
          learningRate, loss, call.error(), call.errorCapacity()), "fdl_ecd_train_step");
      return loss.get(JAVA_DOUBLE, 0);
    }
  }

  /** Evaluation mode: predictions per output, and the loss when targets is not empty (else NaN). */
  public Evaluation evaluate(List<Tensor> inputs, List<Tensor> targets) {
    try (var call = NativeCall.open()) {
      MemorySegment loss = call.arena().allocate(JAVA_DOUBLE);
      MemorySegment predictions = call.arena().allocate(ADDRESS, Math.max(1, outputCount));
      call.check(FidelioH.fdl_ecd_evaluate(handle(), handles(call.arena(), inputs), inputs.size(),
          handles(call.arena(), targets), targets.size(), loss, predictions, outputCount, call.error(),
          call.errorCapacity()), "fdl_ecd_evaluate");
      List<Tensor> out = new ArrayList<>();
      for (int i = 0; i < outputCount; i++) out.add(Tensor.adopt(predictions.getAtIndex(ADDRESS, i)));
      return new Evaluation(targets.isEmpty() ? Double.NaN : loss.get(JAVA_DOUBLE, 0), out);
    }
  }

  /**
   * Writes the model as a TorchScript file (real encoders, evaluation mode); binaryThresholds has one
   * entry per output feature, read for binary outputs. The file's contract: {@code torchscript_export.h}.
   */
  public void exportTorchscript(java.nio.file.Path file, double[] binaryThresholds) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_ecd_export_torchscript(handle(), call.arena().allocateFrom(file.toString()),
          call.arena().allocateFrom(JAVA_DOUBLE, binaryThresholds), binaryThresholds.length, call.error(),
          call.errorCapacity()), "fdl_ecd_export_torchscript");
    }
  }

  private static MemorySegment handles(Arena arena, List<Tensor> tensors) {
    MemorySegment array = arena.allocate(ADDRESS, Math.max(1, tensors.size()));
    for (int i = 0; i < tensors.size(); i++) array.setAtIndex(ADDRESS, i, tensors.get(i).nativeHandle());
    return array;
  }
}
