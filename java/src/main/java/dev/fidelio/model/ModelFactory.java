package dev.fidelio.model;

import dev.fidelio.config.BinaryInputFeature;
import dev.fidelio.config.BinaryOutputFeature;
import dev.fidelio.config.CategoryEncoder;
import dev.fidelio.config.CategoryInputFeature;
import dev.fidelio.config.CategoryOutputFeature;
import dev.fidelio.config.ClassWeights;
import dev.fidelio.config.Combiner;
import dev.fidelio.config.FcLayer;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.NormParams;
import dev.fidelio.config.ImageInputFeature;
import dev.fidelio.config.InputFeature;
import dev.fidelio.config.Loss;
import dev.fidelio.config.NumberInputFeature;
import dev.fidelio.config.NumberOutputFeature;
import dev.fidelio.config.ScalarEncoder;
import dev.fidelio.config.OutputFeature;
import dev.fidelio.config.TextEncoder.ReduceOutput;
import dev.fidelio.config.TextInputFeature;
import dev.fidelio.config.TorchvisionEncoder;
import dev.fidelio.features.CategoryVocabulary;
import dev.fidelio.features.FeatureException;
import dev.fidelio.features.TrainingSetMetadata;
import dev.fidelio.weights.PretrainedEncoder;
import dev.fidelio.runtime.DType;
import dev.fidelio.runtime.NativeRuntime;
import dev.fidelio.weights.StateDict;
import dev.fidelio.weights.TorchvisionWeights;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Builds the native ECD model a config describes: encoders, concat combiner, output heads. */
public final class ModelFactory {
  private ModelFactory() {}

  /**
   * pretrained holds the loaded encoder per text feature when training with use_pretrained; when
   * loading a saved model it is empty and every weight comes from the model's own file afterwards.
   */
  public static EcdModel build(FidelioConfig config, TrainingSetMetadata metadata, Map<String, PretrainedEncoder> pretrained,
                               long seed, List<String> notes) {
    return build(config, metadata, pretrained, Map.of(), seed, notes);
  }

  /** imageWeights: per image feature with use_pretrained, its torchvision state_dict (empty when loading a saved model). */
  public static EcdModel build(FidelioConfig config, TrainingSetMetadata metadata, Map<String, PretrainedEncoder> pretrained,
                               Map<String, StateDict> imageWeights, long seed, List<String> notes) {
    // Initial weights come from LibTorch's one process-wide generator: two models built at once in
    // one JVM (the Java API allows it) would interleave its draws and each get other weights than
    // its seed gives alone. One build at a time, each from its own seed.
    return NativeRuntime.withSeed(seed, () -> buildSeeded(config, metadata, pretrained, imageWeights, seed, notes));
  }

  private static EcdModel buildSeeded(FidelioConfig config, TrainingSetMetadata metadata,
                                      Map<String, PretrainedEncoder> pretrained, Map<String, StateDict> imageWeights,
                                      long seed, List<String> notes) {
    // The encoders' handles may close once the model is built: it shares their modules.
    List<NativeModule> encoders = new ArrayList<>();
    try {
      List<EcdModel.InputSpec> inputs = new ArrayList<>();
      for (InputFeature input : config.inputFeatures()) {
        inputs.add(switch (input) {
          case ImageInputFeature image -> imageInput(image, metadata, imageWeights.get(image.name()), seed, encoders);
          case TextInputFeature text -> textInput(text, config.reduceOutputOf(text), metadata, pretrained, seed, notes,
              encoders);
          default -> tabularInput(input, metadata);
        });
      }
      List<EcdModel.OutputSpec> outputs = new ArrayList<>();
      for (OutputFeature output : config.outputFeatures()) {
        outputs.add(head(output, metadata).withDecoder(output.decoder().fc().layers()));
      }
      Combiner.Concat concat = switch (config.combiner()) {
        case Combiner.Concat c -> c;
      };
      var combiner = new EcdModel.CombinerSpec(new EcdModel.LayerStack(concat.fc().layers(), concat.residual()));
      return EcdModel.create(new EcdModel.Spec(inputs, combiner, outputs, seed));
    } finally {
      encoders.forEach(NativeModule::close);
    }
  }

  private static EcdModel.InputSpec textInput(TextInputFeature text, ReduceOutput reduce, TrainingSetMetadata metadata,
                                              Map<String, PretrainedEncoder> pretrained, long seed, List<String> notes,
                                              List<NativeModule> encoders) {
    PretrainedEncoder source = text.encoder().usePretrained() ? pretrained.get(text.name()) : null;
    TextEncoderModel encoder = source != null ? TextEncoderModel.pretrained(source, seed, notes)
        : TextEncoderModel.create(metadata.text(text.name()).encoderConfig(), seed);
    encoders.add(encoder);
    return EcdModel.InputSpec.text(text.name(), encoder, reduce, text.encoder().trainable(),
        metadata.text(text.name()).maxSequenceLength());
  }

  private static EcdModel.InputSpec tabularInput(InputFeature input, TrainingSetMetadata metadata) {
    return switch (input) {
      case NumberInputFeature n -> EcdModel.InputSpec.scalar(n.name(), scalarLayers(n.encoder()));
      case BinaryInputFeature b -> EcdModel.InputSpec.scalar(b.name(), scalarLayers(b.encoder()));
      case CategoryInputFeature c -> {
        long vocabulary = metadata.category(c.name()).size();
        yield switch (c.encoder()) {
          case CategoryEncoder.Dense d -> EcdModel.InputSpec.category(c.name(), vocabulary, d.embeddingSize(),
              d.embeddingsTrainable(), d.dropout());
          case CategoryEncoder.OneHot o -> EcdModel.InputSpec.category(c.name(), vocabulary, 0, false, 0);
        };
      }
      default -> throw new FeatureException("input feature '" + input.name() + "': this type is not supported yet");
    };
  }

  /** Ludwig's number/binary encoders: passthrough (no layers) or dense (num_layers of output_size). */
  private static List<FcLayer> scalarLayers(ScalarEncoder encoder) {
    return switch (encoder) {
      case ScalarEncoder.Passthrough p -> List.of();
      case ScalarEncoder.Dense d -> Collections.nCopies(d.numLayers(), new FcLayer(d.outputSize(), d.activation(),
          d.dropout(), d.norm(), NormParams.defaults(d.norm()), true));
    };
  }

  private static EcdModel.InputSpec imageInput(ImageInputFeature image, TrainingSetMetadata metadata,
                                               StateDict weights, long seed, List<NativeModule> encoders) {
    TorchvisionEncoder config = image.encoder();
    int channels = metadata.image(image.name()).numChannels();
    if (weights != null && channels != 3) {
      throw new FeatureException("input feature '" + image.name() + "': torchvision's pretrained " + config.type() + " "
          + config.modelVariant() + " takes 3 (RGB) channels but preprocessing gives " + channels
          + "; set preprocessing.num_channels: 3");
    }
    ImageEncoder encoder = ImageEncoder.create(config.type(), config.modelVariant(), channels, DType.FLOAT32, seed);
    encoders.add(encoder);
    if (weights != null) {
      encoder.load(weights, TorchvisionWeights.of(config.type(), config.modelVariant()).removedPrefixes());
    }
    return EcdModel.InputSpec.image(image.name(), encoder, config.trainable());
  }

  private static EcdModel.OutputSpec head(OutputFeature output, TrainingSetMetadata metadata) {
    return switch (output) {
      case CategoryOutputFeature c -> {
        CategoryVocabulary vocabulary = metadata.category(c.name());
        if (c.loss() instanceof Loss.Corn corn) {
          yield EcdModel.OutputSpec.corn(c.name(), vocabulary.size(), corn.weight());
        }
        var loss = (Loss.SoftmaxCrossEntropy) c.loss();
        yield EcdModel.OutputSpec.category(c.name(), vocabulary.size(),
            classWeights(c.name(), loss.classWeights(), vocabulary), loss.weight());
      }
      case BinaryOutputFeature b -> {
        var loss = (Loss.BinaryWeightedCrossEntropy) b.loss();
        yield EcdModel.OutputSpec.binary(b.name(), loss.positiveClassWeight() == null ? 1.0 : loss.positiveClassWeight(),
            loss.robustLambda(), loss.confidencePenalty(), loss.weight());
      }
      case NumberOutputFeature n -> EcdModel.OutputSpec.number(n.name(), switch (n.loss()) {
        case Loss.MeanAbsoluteError l -> EcdModel.NumberLoss.MAE;
        case Loss.RootMeanSquaredError l -> EcdModel.NumberLoss.RMSE;
        case Loss.MeanAbsolutePercentageError l -> EcdModel.NumberLoss.MAPE;
        case Loss.RootMeanSquaredPercentageError l -> EcdModel.NumberLoss.RMSPE;
        case Loss.Huber l -> EcdModel.NumberLoss.HUBER;
        default -> EcdModel.NumberLoss.MSE;
      }, n.loss() instanceof Loss.Huber h ? h.delta() : 1.0, n.loss().weight());
    };
  }

  /** Ludwig's class_weights: a list by class index, or a map by class label (missing labels weigh 1). */
  static float[] classWeights(String feature, ClassWeights weights, CategoryVocabulary vocabulary) {
    if (weights == null) return new float[0];
    float[] out = new float[vocabulary.size()];
    switch (weights) {
      case ClassWeights.ByIndex byIndex -> {
        if (byIndex.weights().size() != vocabulary.size()) {
          throw new FeatureException("output_features '" + feature + "': loss.class_weights has "
              + byIndex.weights().size() + " entries but the training split has " + vocabulary.size() + " classes "
              + vocabulary.idx2str() + "; give one weight per class, or a map {label: weight}");
        }
        for (int i = 0; i < out.length; i++) out[i] = byIndex.weights().get(i).floatValue();
      }
      case ClassWeights.ByLabel byLabel -> {
        for (String label : byLabel.weights().keySet()) {
          if (vocabulary.index(label) < 0) {
            throw new FeatureException("output_features '" + feature + "': loss.class_weights names class '" + label
                + "', which the training split does not have; classes: " + vocabulary.idx2str());
          }
        }
        for (int i = 0; i < out.length; i++) {
          out[i] = byLabel.weights().getOrDefault(vocabulary.idx2str().get(i), 1.0).floatValue();
        }
      }
    }
    return out;
  }
}
