package dev.fidelio.model;

import dev.fidelio.config.Activation;
import dev.fidelio.config.BinaryInputFeature;
import dev.fidelio.config.BinaryOutputFeature;
import dev.fidelio.config.CategoryEncoder;
import dev.fidelio.config.CategoryInputFeature;
import dev.fidelio.config.CategoryOutputFeature;
import dev.fidelio.config.ClassWeights;
import dev.fidelio.config.Combiner;
import dev.fidelio.config.FcLayer;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.ImageInputFeature;
import dev.fidelio.config.InputFeature;
import dev.fidelio.config.Loss;
import dev.fidelio.config.NumberInputFeature;
import dev.fidelio.config.NumberOutputFeature;
import dev.fidelio.config.ScalarEncoder;
import dev.fidelio.config.OutputFeature;
import dev.fidelio.config.TextInputFeature;
import dev.fidelio.features.CategoryVocabulary;
import dev.fidelio.features.FeatureException;
import dev.fidelio.features.TrainingSetMetadata;
import dev.fidelio.weights.PretrainedBert;
import dev.fidelio.runtime.NativeRuntime;
import dev.fidelio.weights.StateDict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds the native ECD model a config describes: encoders, concat combiner, output heads. */
public final class ModelFactory {
  private ModelFactory() {}

  /**
   * pretrained holds the loaded encoder per text feature when training with use_pretrained; when
   * loading a saved model it is empty and every weight comes from the model's own file afterwards.
   */
  public static EcdModel build(FidelioConfig config, TrainingSetMetadata metadata, Map<String, PretrainedBert> pretrained,
                               long seed, List<String> notes) {
    return build(config, metadata, pretrained, Map.of(), seed, notes);
  }

  /** imageWeights: per image feature with use_pretrained, its torchvision state_dict (empty when loading a saved model). */
  public static EcdModel build(FidelioConfig config, TrainingSetMetadata metadata, Map<String, PretrainedBert> pretrained,
                               Map<String, StateDict> imageWeights, long seed, List<String> notes) {
    // Initial weights come from LibTorch's one process-wide generator: two models built at once in
    // one JVM (the Java API allows it) would interleave its draws and each get other weights than
    // its seed gives alone. One build at a time, each from its own seed.
    return NativeRuntime.withSeed(seed, () -> buildSeeded(config, metadata, pretrained, imageWeights, seed, notes));
  }

  private static EcdModel buildSeeded(FidelioConfig config, TrainingSetMetadata metadata,
                                      Map<String, PretrainedBert> pretrained, Map<String, StateDict> imageWeights,
                                      long seed, List<String> notes) {
    EcdModel model = EcdModel.create(seed);
    try {
      for (InputFeature input : config.inputFeatures()) {
        if (input instanceof ImageInputFeature image) {
          addImageInput(model, image, metadata, imageWeights.get(image.name()), seed);
          continue;
        }
        if (!(input instanceof TextInputFeature text)) {
          addTabularInput(model, input, metadata);
          continue;
        }
        PretrainedBert source = text.encoder().usePretrained() ? pretrained.get(text.name()) : null;
        try (Bert bert = source != null ? Bert.pretrained(source, seed, notes)
            : Bert.create(metadata.text(text.name()).encoderConfig(), seed)) {
          model.addTextInput(text.name(), bert, Bert.Reduce.valueOf(text.encoder().reduceOutput().name()),
              text.encoder().trainable());
        }
      }
      for (OutputFeature output : config.outputFeatures()) addOutput(model, output, metadata);
      Combiner.Concat concat = switch (config.combiner()) {
        case Combiner.Concat c -> c;
      };
      model.build(fcLayers(concat.fc().layers()), concat.residual());
      return model;
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  private static void addTabularInput(EcdModel model, InputFeature input, TrainingSetMetadata metadata) {
    switch (input) {
      case NumberInputFeature n -> model.addScalarInput(n.name(), scalarLayers(n.encoder()));
      case BinaryInputFeature b -> model.addScalarInput(b.name(), scalarLayers(b.encoder()));
      case CategoryInputFeature c -> {
        long vocabulary = metadata.category(c.name()).size();
        switch (c.encoder()) {
          case CategoryEncoder.Dense d -> model.addCategoryInput(c.name(), vocabulary, d.embeddingSize(),
              d.embeddingsTrainable(), d.dropout());
          case CategoryEncoder.OneHot o -> model.addCategoryInput(c.name(), vocabulary, 0, false, 0);
        }
      }
      default -> throw new FeatureException("input feature '" + input.name() + "': this type is not supported yet");
    }
  }

  /** Ludwig's number/binary encoders: passthrough (no layers) or dense (num_layers of output_size). */
  private static List<EcdModel.FcLayer> scalarLayers(ScalarEncoder encoder) {
    return switch (encoder) {
      case ScalarEncoder.Passthrough p -> List.of();
      case ScalarEncoder.Dense d -> fcLayers(java.util.Collections.nCopies(d.numLayers(),
          new FcLayer(d.outputSize(), d.activation(), d.dropout(), d.norm(), Map.of(), true)));
    };
  }


  private static void addImageInput(EcdModel model, ImageInputFeature image, TrainingSetMetadata metadata,
                                    StateDict weights, long seed) {
    int variant = image.encoder().modelVariant();
    int channels = metadata.image(image.name()).numChannels();
    if (weights != null && channels != 3) {
      throw new FeatureException("input feature '" + image.name() + "': torchvision's pretrained resnet" + variant
          + " takes 3 (RGB) channels but preprocessing gives " + channels + "; set preprocessing.num_channels: 3");
    }
    try (ResNet resnet = ResNet.create(variant, channels, seed)) {
      if (weights != null) resnet.load(weights);
      model.addImageInput(image.name(), resnet, image.encoder().trainable());
    }
  }

  private static void addOutput(EcdModel model, OutputFeature output, TrainingSetMetadata metadata) {
    addHead(model, output, metadata);
    List<FcLayer> decoderLayers = output.decoder().fc().layers();
    if (!decoderLayers.isEmpty()) model.setDecoderLayers(output.name(), fcLayers(decoderLayers));
  }

  private static void addHead(EcdModel model, OutputFeature output, TrainingSetMetadata metadata) {
    switch (output) {
      case CategoryOutputFeature c -> {
        CategoryVocabulary vocabulary = metadata.category(c.name());
        var loss = (Loss.SoftmaxCrossEntropy) c.loss();
        model.addCategoryOutput(c.name(), vocabulary.size(), classWeights(c.name(), loss.classWeights(), vocabulary),
            loss.weight());
      }
      case BinaryOutputFeature b -> {
        var loss = (Loss.BinaryWeightedCrossEntropy) b.loss();
        // Ludwig's robust_lambda (ludwig/modules/loss_modules.py BWCEWLoss): (1 - lambda) * loss + lambda / 2, whose
        // gradient is the loss weight times (1 - lambda); the constant only shifts the logged loss, which leaves it out.
        model.addBinaryOutput(b.name(), loss.positiveClassWeight() == null ? 1.0 : loss.positiveClassWeight(),
            loss.weight() * (1 - loss.robustLambda()));
      }
      case NumberOutputFeature n -> model.addNumberOutput(n.name(), switch (n.loss()) {
        case Loss.MeanAbsoluteError l -> EcdModel.NumberLoss.MEAN_ABSOLUTE_ERROR;
        case Loss.RootMeanSquaredError l -> EcdModel.NumberLoss.ROOT_MEAN_SQUARED_ERROR;
        default -> EcdModel.NumberLoss.MEAN_SQUARED_ERROR;
      }, n.loss().weight());
    }
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

  private static List<EcdModel.FcLayer> fcLayers(List<FcLayer> configured) {
    List<EcdModel.FcLayer> layers = new ArrayList<>();
    for (FcLayer layer : configured) {
      layers.add(new EcdModel.FcLayer(layer.outputSize(), activation(layer.activation()), layer.dropout(),
          layer.norm() == null ? EcdModel.Norm.NONE : EcdModel.Norm.valueOf(layer.norm().name()), normParams(layer),
          layer.useBias()));
    }
    return layers;
  }

  private static EcdModel.Activation activation(Activation activation) {
    return switch (activation) {
      case RELU -> EcdModel.Activation.RELU;
      case TANH -> EcdModel.Activation.TANH;
      case SIGMOID -> EcdModel.Activation.SIGMOID;
      case ELU -> EcdModel.Activation.ELU;
      case LEAKY_RELU -> EcdModel.Activation.LEAKY_RELU;
      case LOG_SIGMOID, SOFTMAX -> throw new FeatureException("combiner activation '" + activation.yamlName()
          + "' is not supported yet (relu, tanh, sigmoid, elu, leakyRelu are)");
    };
  }

  /**
   * A layer's norm_params with Ludwig's defaults: ghost norm virtual_batch_size 128, momentum 0.05,
   * epsilon 1e-3 (Ludwig's GhostBatchNormalization); batch and layer norm PyTorch's momentum 0.1,
   * eps 1e-5. Both spellings, {@code eps} (PyTorch's) and {@code epsilon} (Ludwig's ghost), are read.
   */
  static EcdModel.NormParams normParams(FcLayer layer) {
    Map<String, Object> params = layer.normParams() == null ? Map.of() : layer.normParams();
    boolean ghost = layer.norm() == dev.fidelio.config.Norm.GHOST;
    Number epsilon = number(params, "epsilon", number(params, "eps", ghost ? 1e-3 : 1e-5));
    return new EcdModel.NormParams(number(params, "virtual_batch_size", 128).longValue(),
        number(params, "momentum", ghost ? 0.05 : 0.1).doubleValue(), epsilon.doubleValue());
  }

  private static Number number(Map<String, Object> params, String key, Number fallback) {
    Object value = params.get(key);
    return value instanceof Number n ? n : fallback;
  }
}
