package dev.fidelio.model;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.fidelio.bindings.AbiCoded;
import dev.fidelio.bindings.FidelioH;
import dev.fidelio.config.FcLayer;
import dev.fidelio.config.TextEncoder.ReduceOutput;
import dev.fidelio.runtime.Device;
import dev.fidelio.runtime.NativeCall;
import dev.fidelio.runtime.NativeStructs;
import dev.fidelio.runtime.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The native ECD model (Ludwig's encoder-combiner-decoder), built from one {@link Spec} and trained
 * by one {@link TrainSpec}: records written into fidelio.h's structs field by field by name
 * ({@link NativeStructs}). Trained with one native call per batch ({@link #trainStep}).
 */
public final class EcdModel extends NativeModule {
  /** fdl_fc_stack: fully connected layers (config records), residual for the combiner. */
  public record LayerStack(List<FcLayer> layers, boolean residual) {
    public static LayerStack of(List<FcLayer> layers) {
      return new LayerStack(layers, false);
    }
  }

  /** fdl_input_spec: one input feature; the fields its type does not name are ignored (see fidelio.h). */
  public record InputSpec(String name, int type, NativeModule encoder, ReduceOutput reduceOutput, boolean trainable,
                          long size, long embeddingSize, double dropout, LayerStack encoderLayers) {
    /**
     * The encoder module is shared: closing encoder afterwards leaves it alive inside the model.
     * maxSequenceLength is the feature's (after capping): reduce_output concat pads every batch to it.
     */
    public static InputSpec text(String name, TextEncoderModel encoder, ReduceOutput reduce, boolean trainable,
                                 int maxSequenceLength) {
      return new InputSpec(name, FidelioH.FDL_INPUT_TEXT, encoder, reduce, trainable, maxSequenceLength, 0, 0,
          NO_LAYERS);
    }

    /** A text input whose reduce_output is not concat (no max_sequence_length needed). */
    public static InputSpec text(String name, TextEncoderModel encoder, ReduceOutput reduce, boolean trainable) {
      return text(name, encoder, reduce, trainable, 0);
    }

    public static InputSpec image(String name, ImageEncoder encoder, boolean trainable) {
      return new InputSpec(name, FidelioH.FDL_INPUT_IMAGE, encoder, ReduceOutput.CLS_POOLED, trainable, 0, 0, 0,
          NO_LAYERS);
    }

    public static InputSpec embedding(String name, long size) {
      return new InputSpec(name, FidelioH.FDL_INPUT_EMBEDDING, null, ReduceOutput.CLS_POOLED, false, size, 0, 0,
          NO_LAYERS);
    }

    /** A number or binary input (float [B] per batch); no layers: passthrough, else the dense encoder. */
    public static InputSpec scalar(String name, List<FcLayer> layers) {
      return new InputSpec(name, FidelioH.FDL_INPUT_SCALAR, null, ReduceOutput.CLS_POOLED, false, 0, 0, 0,
          LayerStack.of(layers));
    }

    /** A category input (int64 class ids [B]); embeddingSize 0 is the one-hot encoder. */
    public static InputSpec category(String name, long vocabSize, long embeddingSize, boolean trainable,
                                     double dropout) {
      return new InputSpec(name, FidelioH.FDL_INPUT_CATEGORY, null, ReduceOutput.CLS_POOLED, trainable, vocabSize,
          embeddingSize, dropout, NO_LAYERS);
    }
  }

  /** fdl_combiner_spec: the concat combiner's fc stack. */
  public record CombinerSpec(LayerStack fc) {}

  /** fdl_output_spec: one output feature with its decoder layers. */
  public record OutputSpec(String name, int type, long numClasses, float[] classWeights, double positiveClassWeight,
                           NumberLoss numberLoss, double lossWeight, LayerStack decoder, double huberDelta,
                           double robustLambda, double confidencePenalty, CategoryLoss categoryLoss) {
    /** Softmax cross-entropy; classWeights may be empty (no weighting). */
    public static OutputSpec category(String name, long numClasses, float[] classWeights, double lossWeight) {
      return new OutputSpec(name, FidelioH.FDL_OUTPUT_CATEGORY, numClasses, classWeights, 1, NumberLoss.MSE,
          lossWeight, NO_LAYERS, 1, 0, 0, CategoryLoss.SOFTMAX_CROSS_ENTROPY);
    }

    /** Ludwig's corn on numClasses ordered classes (no class weights). */
    public static OutputSpec corn(String name, long numClasses, double lossWeight) {
      return new OutputSpec(name, FidelioH.FDL_OUTPUT_CATEGORY, numClasses, new float[0], 1, NumberLoss.MSE,
          lossWeight, NO_LAYERS, 1, 0, 0, CategoryLoss.CORN);
    }

    /** Ludwig's BWCEWLoss: robustLambda in [0, 1] scales the cross-entropy, confidencePenalty adds its penalty. */
    public static OutputSpec binary(String name, double positiveClassWeight, double robustLambda,
                                    double confidencePenalty, double lossWeight) {
      return new OutputSpec(name, FidelioH.FDL_OUTPUT_BINARY, 0, new float[0], positiveClassWeight, NumberLoss.MSE,
          lossWeight, NO_LAYERS, 1, robustLambda, confidencePenalty, CategoryLoss.SOFTMAX_CROSS_ENTROPY);
    }

    /** huberDelta is read by NumberLoss.HUBER only. */
    public static OutputSpec number(String name, NumberLoss loss, double huberDelta, double lossWeight) {
      return new OutputSpec(name, FidelioH.FDL_OUTPUT_NUMBER, 0, new float[0], 1, loss, lossWeight, NO_LAYERS,
          huberDelta, 0, 0, CategoryLoss.SOFTMAX_CROSS_ENTROPY);
    }

    /** Ludwig's decoder fc_layers: layers between the combiner and this output's head. */
    public OutputSpec withDecoder(List<FcLayer> layers) {
      return new OutputSpec(name, type, numClasses, classWeights, positiveClassWeight, numberLoss, lossWeight,
          LayerStack.of(layers), huberDelta, robustLambda, confidencePenalty, categoryLoss);
    }
  }

  /** fdl_ecd_spec: the whole model; seed initialises every new layer. */
  public record Spec(List<InputSpec> inputs, CombinerSpec combiner, List<OutputSpec> outputs, long seed) {}

  private static final LayerStack NO_LAYERS = LayerStack.of(List.of());

  /** Losses of category outputs: Ludwig's softmax_cross_entropy and corn. */
  public enum CategoryLoss implements AbiCoded {
    SOFTMAX_CROSS_ENTROPY(FidelioH.FDL_CATEGORY_LOSS_SOFTMAX_CROSS_ENTROPY), CORN(FidelioH.FDL_CATEGORY_LOSS_CORN);

    private final int abiCode;

    CategoryLoss(int abiCode) {
      this.abiCode = abiCode;
    }

    @Override
    public int abiCode() {
      return abiCode;
    }
  }

  /**
   * Losses of number outputs: Ludwig's mean_squared_error, mean_absolute_error, root_mean_squared_error,
   * mean_absolute_percentage_error, root_mean_squared_percentage_error, huber.
   */
  public enum NumberLoss implements AbiCoded {
    MSE(FidelioH.FDL_NUMBER_LOSS_MSE), MAE(FidelioH.FDL_NUMBER_LOSS_MAE), RMSE(FidelioH.FDL_NUMBER_LOSS_RMSE),
    MAPE(FidelioH.FDL_NUMBER_LOSS_MAPE), RMSPE(FidelioH.FDL_NUMBER_LOSS_RMSPE), HUBER(FidelioH.FDL_NUMBER_LOSS_HUBER);

    private final int abiCode;

    NumberLoss(int abiCode) {
      this.abiCode = abiCode;
    }

    @Override
    public int abiCode() {
      return abiCode;
    }
  }

  /** The loss of a batch and each output's predictions (probabilities or values). */
  public record Evaluation(double loss, List<Tensor> predictions) implements AutoCloseable {
    @Override
    public void close() {
      predictions.forEach(Tensor::close);
    }
  }

  private final int outputCount;
  private Device device = Device.CPU;

  private EcdModel(MemorySegment handle, int outputCount) {
    super("EcdModel", handle, FidelioH::fdl_ecd_free);
    this.outputCount = outputCount;
  }

  /** The model spec describes, trained by AdamW at torch's defaults until {@link #configure}. */
  public static EcdModel create(Spec spec) {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.allocatePointer();
      call.check(FidelioH.fdl_ecd_new(NativeStructs.write(call.arena(), FidelioH.fdl_ecd_spec, spec), out, call.error(),
          call.errorCapacity()), "fdl_ecd_new");
      return new EcdModel(handleFrom(out), spec.outputs().size());
    }
  }

  /** A spec assembled feature by feature, for code that builds models by hand (tests, benchmarks). */
  public static Builder builder(long seed) {
    return new Builder(seed);
  }

  public static final class Builder {
    private final long seed;
    private final List<InputSpec> inputs = new ArrayList<>();
    private final List<OutputSpec> outputs = new ArrayList<>();

    private Builder(long seed) {
      this.seed = seed;
    }

    public Builder input(InputSpec input) {
      inputs.add(input);
      return this;
    }

    public Builder output(OutputSpec output) {
      outputs.add(output);
      return this;
    }

    /** The model with a concat combiner of these layers (residual: Ludwig's combiner.residual). */
    public EcdModel build(List<FcLayer> combinerLayers, boolean residual) {
      return create(new Spec(inputs, new CombinerSpec(new LayerStack(combinerLayers, residual)), outputs, seed));
    }
  }

  /** fdl_optimizer_spec: adamw, adam (L2 decay) or sgd, with each one's settings. */
  public record OptimizerSpec(Type type, double beta1, double beta2, double eps, double weightDecay, double momentum,
                              double dampening, boolean nesterov, boolean excludeBiasAndNorm) {
    public enum Type implements AbiCoded {
      ADAMW(FidelioH.FDL_OPTIMIZER_ADAMW), ADAM(FidelioH.FDL_OPTIMIZER_ADAM), SGD(FidelioH.FDL_OPTIMIZER_SGD);

      private final int abiCode;

      Type(int abiCode) {
        this.abiCode = abiCode;
      }

      @Override
      public int abiCode() {
        return abiCode;
      }
    }

    /** Adam (decoupled false: L2 weight decay, torch.optim.Adam) or AdamW (decoupled true). */
    public static OptimizerSpec adam(double beta1, double beta2, double eps, double weightDecay, boolean decoupled,
                                     boolean excludeBiasAndNorm) {
      return new OptimizerSpec(decoupled ? Type.ADAMW : Type.ADAM, beta1, beta2, eps, weightDecay, 0, 0, false,
          excludeBiasAndNorm);
    }

    /** torch.optim.SGD with momentum, dampening, Nesterov and L2 weight decay. */
    public static OptimizerSpec sgd(double momentum, double dampening, double weightDecay, boolean nesterov,
                                    boolean excludeBiasAndNorm) {
      return new OptimizerSpec(Type.SGD, 0.9, 0.999, 1e-8, weightDecay, momentum, dampening, nesterov,
          excludeBiasAndNorm);
    }
  }

  /** fdl_clipping_spec: global norm, each gradient's norm, each value; 0 turns a kind off. */
  public record ClippingSpec(double maxGlobalNorm, double maxNorm, double maxValue) {
    public static final ClippingSpec NONE = new ClippingSpec(0, 0, 0);
  }

  /** Autocast for forward and loss (use_mixed_precision); FLOAT16 needs CUDA and scales the loss. */
  public enum Precision implements AbiCoded {
    FLOAT32(FidelioH.FDL_PRECISION_FLOAT32), BFLOAT16(FidelioH.FDL_PRECISION_BFLOAT16),
    FLOAT16(FidelioH.FDL_PRECISION_FLOAT16);

    private final int abiCode;

    Precision(int abiCode) {
      this.abiCode = abiCode;
    }

    @Override
    public int abiCode() {
      return abiCode;
    }
  }

  /**
   * fdl_train_spec: how the model trains; compile is trainer.compile, l1Regularization the lambda of
   * the l1 penalty's gradient term (Ludwig's regularization_type l1 or l1_l2), layersToFreezeRegex
   * (null: none) freezes the parameters whose state names it matches, gradientCheckpointing recomputes
   * the BERT encoder layers' activations in backward.
   */
  public record TrainSpec(OptimizerSpec optimizer, ClippingSpec clipping, Precision precision, boolean compile,
                          double l1Regularization, String layersToFreezeRegex, boolean gradientCheckpointing) {
    /** What a new model trains with: torch's AdamW defaults (weight decay 0.01), no clipping, float32, eager. */
    public static final TrainSpec DEFAULT = new TrainSpec(OptimizerSpec.adam(0.9, 0.999, 1e-8, 0.01, true, false),
        ClippingSpec.NONE, Precision.FLOAT32, false, 0, null, false);

    /** AdamW with Ludwig's betas and eps, weight decay 0.01 and clipglobalnorm 0.5, in float32, eager. */
    public static TrainSpec ludwigAdamW() {
      return DEFAULT.withClipping(new ClippingSpec(0.5, 0, 0));
    }

    public TrainSpec withOptimizer(OptimizerSpec o) {
      return new TrainSpec(o, clipping, precision, compile, l1Regularization, layersToFreezeRegex,
          gradientCheckpointing);
    }

    public TrainSpec withClipping(ClippingSpec c) {
      return new TrainSpec(optimizer, c, precision, compile, l1Regularization, layersToFreezeRegex,
          gradientCheckpointing);
    }

    public TrainSpec withPrecision(Precision p) {
      return new TrainSpec(optimizer, clipping, p, compile, l1Regularization, layersToFreezeRegex,
          gradientCheckpointing);
    }

    public TrainSpec withCompile(boolean c) {
      return new TrainSpec(optimizer, clipping, precision, c, l1Regularization, layersToFreezeRegex,
          gradientCheckpointing);
    }

    public TrainSpec withLayersToFreezeRegex(String regex) {
      return new TrainSpec(optimizer, clipping, precision, compile, l1Regularization, regex, gradientCheckpointing);
    }

    public TrainSpec withGradientCheckpointing(boolean on) {
      return new TrainSpec(optimizer, clipping, precision, compile, l1Regularization, layersToFreezeRegex, on);
    }
  }

  /**
   * Replaces the optimizer (fresh state), clipping, precision and compile setting. On CUDA compile
   * captures each input shape's whole train step as a CUDA graph; elsewhere the step stays eager.
   * Returns one line saying how compile applies, and why.
   */
  public String configure(TrainSpec spec) {
    try (var call = NativeCall.open()) {
      MemorySegment report = call.arena().allocate(512);
      call.check(FidelioH.fdl_ecd_configure(handle(), NativeStructs.write(call.arena(), FidelioH.fdl_train_spec, spec),
          report, report.byteSize(), call.error(), call.errorCapacity()), "fdl_ecd_configure");
      return report.getString(0);
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
   * Captured CUDA graphs, steps replayed through them, steps of the compiled path run eagerly; on the
   * CPU the frozen TorchScript copies made for evaluation, the first batch's milliseconds frozen and
   * eager (0 before it; the faster serves; frozen is infinite when the copy answered differently) and
   * that batch's largest logit difference between the two, relative to the largest logit.
   */
  public record CompileStats(long graphs, long replays, long eagerSteps, long frozenCopies, double frozenMs,
                             double eagerMs, double frozenDifference) {}

  public CompileStats compileStats() {
    try (var call = NativeCall.open()) {
      MemorySegment stats = call.arena().allocate(FidelioH.fdl_compile_stats);
      call.check(FidelioH.fdl_ecd_compile_stats(handle(), stats, call.error(), call.errorCapacity()),
          "fdl_ecd_compile_stats");
      return NativeStructs.read(stats, FidelioH.fdl_compile_stats, CompileStats.class);
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
