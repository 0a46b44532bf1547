package dev.fidelio.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fidelio.config.ConfigException;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.InputFeature;
import dev.fidelio.config.TextInputFeature;
import dev.fidelio.features.TextMetadata;
import dev.fidelio.features.TrainingSetMetadata;
import dev.fidelio.runtime.Device;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.text.TextTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A saved model folder (Ludwig's {@code model/}): the resolved config, the training-set metadata,
 * the weights of the whole model (encoders included, so prediction needs nothing else: trained ones
 * in model_weights.safetensors, frozen ones in frozen_weights.safetensors), and each
 * text feature's tokenizer.
 */
public final class ModelBundle implements AutoCloseable {
  public static final String CONFIG_FILE = "model_hyperparameters.json";
  public static final String METADATA_FILE = "training_set_metadata.json";
  public static final String WEIGHTS_FILE = "model_weights.safetensors";
  /** The parameters that never train (a frozen encoder's), written once per run; absent when there are none. */
  public static final String FROZEN_WEIGHTS_FILE = "frozen_weights.safetensors";
  // A file with anything after its one JSON value is damaged, not a value plus ignored junk.
  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final FidelioConfig config;
  private final TrainingSetMetadata metadata;
  private final EcdModel model;
  private final Map<String, TextTokenizer> tokenizers;

  public ModelBundle(FidelioConfig config, TrainingSetMetadata metadata, EcdModel model,
                     Map<String, TextTokenizer> tokenizers) {
    this.config = config;
    this.metadata = metadata;
    this.model = model;
    this.tokenizers = tokenizers;
  }

  public FidelioConfig config() {
    return config;
  }

  public TrainingSetMetadata metadata() {
    return metadata;
  }

  public EcdModel model() {
    return model;
  }

  public Map<String, TextTokenizer> tokenizers() {
    return tokenizers;
  }

  /** Writes config and metadata (once, before training); tokenizer files are copied in by the caller. */
  /**
   * Rewrites the description of a finished model folder (metadata learned after its weights were
   * saved, such as calibration temperatures), then its manifest, so that the folder still verifies.
   */
  public static void updateDescription(Path folder, FidelioConfig config, TrainingSetMetadata metadata) {
    writeDescription(folder, config, metadata);
    ModelManifest.write(folder);
  }

  public static void writeDescription(Path folder, FidelioConfig config, TrainingSetMetadata metadata) {
    try {
      Files.createDirectories(folder);
      // JSON is YAML too: FidelioConfig.parse reads this file back.
      JSON.writerWithDefaultPrettyPrinter().writeValue(folder.resolve(CONFIG_FILE).toFile(), config.toYamlNode());
      JSON.writerWithDefaultPrettyPrinter().writeValue(folder.resolve(METADATA_FILE).toFile(), metadata);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the model description into " + folder + ": " + e.getMessage(), e);
    }
  }

  /**
   * Loads the weights strictly into model (every key, every shape): model_weights.safetensors, plus
   * frozen_weights.safetensors where the folder has one (see ModelWeightsWriter).
   */
  public static void readWeights(Path folder, EcdModel model) {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    try {
      tensors.putAll(StateFiles.read(folder.resolve(WEIGHTS_FILE), ""));
      Path frozen = folder.resolve(FROZEN_WEIGHTS_FILE);
      if (Files.exists(frozen)) tensors.putAll(StateFiles.read(frozen, ""));
      model.loadState(tensors, List.of());
    } finally {
      tensors.values().forEach(Tensor::close);
    }
  }

  /** Opens a saved model folder for prediction: files checked against the manifest, weights loaded strictly. */
  public static ModelBundle load(Path folder) {
    if (Files.isRegularFile(folder)) {
      throw new IllegalArgumentException("--model_path " + folder + " is a file; pass the 'model' folder of a training"
          + " run (results/<experiment>_<model>/model), which holds " + WEIGHTS_FILE + " and " + CONFIG_FILE);
    }
    if (!Files.isDirectory(folder)) {
      throw new IllegalArgumentException("model folder " + folder + " does not exist; pass the 'model' folder of a"
          + " training run (results/<experiment>_<model>/model)");
    }
    if (!Files.exists(folder.resolve(CONFIG_FILE))) {
      throw new IllegalArgumentException(Files.isDirectory(folder.resolve("model"))
          ? folder + " is a results folder; pass its model folder: " + folder.resolve("model")
          : folder + " is not a Fidelio model folder: " + folder.resolve(CONFIG_FILE) + " is missing");
    }
    ModelManifest.verify(folder, List.of(CONFIG_FILE, METADATA_FILE, WEIGHTS_FILE));
    FidelioConfig config;
    TrainingSetMetadata metadata;
    try {
      config = FidelioConfig.parse(Files.readString(folder.resolve(CONFIG_FILE)));
      metadata = JSON.readValue(folder.resolve(METADATA_FILE).toFile(), TrainingSetMetadata.class);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(folder + " is not a Fidelio model folder: " + e.getFile() + " is missing", e);
    } catch (IOException | ConfigException e) {
      throw new IllegalArgumentException("cannot read the model description in " + folder + ": " + e.getMessage(), e);
    }
    Map<String, TextTokenizer> tokenizers = openTokenizers(folder, config, metadata);
    EcdModel model = null;
    try {
      model = ModelFactory.build(config, metadata, Map.of(), metadata.randomSeed(), new ArrayList<>());
      readWeights(folder, model);
      // predict, evaluate, serve, the Java API: FIDELIO_DEVICE (auto: CUDA when available).
      model.toDevice(Device.select(System.getenv("FIDELIO_DEVICE")));
      // trainer.compile applies to prediction as well: the frozen TorchScript forward on the CPU.
      model.configure(TrainSpecs.forPrediction(config));
      return new ModelBundle(config, metadata, model, tokenizers);
    } catch (RuntimeException e) {
      if (model != null) model.close();
      tokenizers.values().forEach(TextTokenizer::close);
      throw e;
    }
  }

  private static Map<String, TextTokenizer> openTokenizers(Path folder, FidelioConfig config,
                                                           TrainingSetMetadata metadata) {
    Map<String, TextTokenizer> tokenizers = new LinkedHashMap<>();
    for (InputFeature input : config.inputFeatures()) {
      if (!(input instanceof TextInputFeature text)) continue;
      TextMetadata t = metadata.text(text.name());
      Path file = folder.resolve(t.tokenizerFile());
      try (InputStream in = Files.newInputStream(file)) {
        tokenizers.put(text.name(), TextTokenizer.load(in, file.toString(), t.maxSequenceLength(),
            t.padTokenId()));
      } catch (IOException e) {
        tokenizers.values().forEach(TextTokenizer::close);
        throw new UncheckedIOException("cannot read the tokenizer " + file + ": " + e.getMessage(), e);
      }
    }
    return tokenizers;
  }

  @Override
  public void close() {
    tokenizers.values().forEach(TextTokenizer::close);
    model.close();
  }
}
