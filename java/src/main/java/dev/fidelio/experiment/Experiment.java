package dev.fidelio.experiment;

import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.InputFeature;
import dev.fidelio.config.Optimizer;
import dev.fidelio.config.TextInputFeature;
import dev.fidelio.data.DatasetReader;
import dev.fidelio.data.SplitIndices;
import dev.fidelio.data.Splitter;
import dev.fidelio.data.Table;
import dev.fidelio.features.Dataset;
import dev.fidelio.features.Preprocessor;
import dev.fidelio.features.TextMetadata;
import dev.fidelio.features.TrainingSetMetadata;
import dev.fidelio.metrics.SplitStatistics;
import dev.fidelio.model.EcdModel;
import dev.fidelio.model.ModelBundle;
import dev.fidelio.model.ModelFactory;
import dev.fidelio.predict.PredictionsCsv;
import dev.fidelio.predict.Predictor;
import dev.fidelio.runtime.NativeRuntime;
import dev.fidelio.text.TextTokenizer;
import dev.fidelio.train.SupportCheck;
import dev.fidelio.train.TrainingLoop;
import dev.fidelio.train.TrainingPlan;
import dev.fidelio.weights.PretrainedBert;
import dev.fidelio.weights.PretrainedLocator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ludwig's train / experiment: read and split the data, fit preprocessing on the training split,
 * build the model from pretrained encoders, train, and write the results folder
 * ({@code description.json}, {@code training_statistics.json}, {@code model/}; with a test
 * evaluation also {@code test_statistics.json} and {@code predictions.csv}).
 */
public final class Experiment {
  /** Where results go and how the run is named (Ludwig's flags). */
  public record Settings(Path outputDirectory, String experimentName, String modelName, long randomSeed) {}

  private Experiment() {}

  /** Trains; with evaluateTest also evaluates the test split. Returns the results folder. */
  public static Path run(Path configFile, Path datasetFile, Settings settings, boolean evaluateTest) {
    long started = System.nanoTime();
    FidelioConfig config = loadConfig(configFile);
    SupportCheck.requireSupported(config);
    Table table = DatasetReader.read(datasetFile);
    table = Sampling.apply(table, config.preprocessing(), settings.randomSeed());
    SplitIndices split = Splitter.split(table, config.preprocessing().split(), settings.randomSeed());
    Log.info(datasetFile + ": " + table.rowCount() + " rows; " + Splitter.describe(split));
    NativeRuntime.manualSeed(settings.randomSeed());

    Map<String, PretrainedBert> pretrained = new LinkedHashMap<>();
    Map<String, TextTokenizer> tokenizers = new LinkedHashMap<>();
    Map<String, TextMetadata> text = new LinkedHashMap<>();
    Map<String, PretrainedBert> tokenizerSources = new LinkedHashMap<>();
    PretrainedLocator locator = PretrainedLocator.fromEnvironment();
    try {
      for (InputFeature input : config.inputFeatures()) {
        if (!(input instanceof TextInputFeature t)) continue;
        String name = t.encoder().pretrainedModelNameOrPath();
        PretrainedBert source = locator.load(name);
        source.notes().forEach(n -> Log.info(t.name() + ": " + n));
        int maxLength = maxSequenceLength(t, source);
        String tokenizerFile = t.name().replaceAll("[^A-Za-z0-9_.-]", "_") + "_tokenizer.json";
        text.put(t.name(), new TextMetadata(source.source(), source.config(), tokenizerFile, maxLength,
            t.preprocessing().fillValue()));
        tokenizers.put(t.name(), openTokenizer(source, maxLength));
        tokenizerSources.put(t.name(), source);
        pretrained.put(t.name(), source);
      }
      TrainingSetMetadata metadata = Preprocessor.fit(config, table, split.train(), text, settings.randomSeed());
      Preprocessor preprocessor = new Preprocessor(config, metadata, tokenizers);
      Dataset train = preprocessor.transform(table, split.train(), true, "training");
      Dataset validation = preprocessor.transform(table, split.validation(), true, "validation");
      Dataset test = preprocessor.transform(table, split.test(), true, "test");
      if (train.size() == 0) throw new IllegalArgumentException("no training rows are left after preprocessing");

      Path results = OutputDirectory.create(settings.outputDirectory(), settings.experimentName(), settings.modelName());
      Path modelFolder = results.resolve("model");
      ModelBundle.writeDescription(modelFolder, config, metadata);
      for (var entry : tokenizerSources.entrySet()) {
        copyTokenizer(entry.getValue(), modelFolder.resolve(text.get(entry.getKey()).tokenizerFile()));
      }
      List<String> notes = new ArrayList<>();
      TrainingPlan plan = TrainingPlan.of(config, train.size(), settings.randomSeed());
      try (EcdModel model = ModelFactory.build(config, metadata, pretrained, settings.randomSeed(), notes)) {
        pretrained.clear(); // the weights now live in the native model
        configureOptimizer(model, config);
        EmbeddingCache.Cached cached = EmbeddingCache.apply(model, config, plan.evalBatchSize(), train, validation, test);
        TrainingLoop.Result result = TrainingLoop.run(model, config, metadata, plan, cached.train(),
            cached.validation(), cached.test(), modelFolder);
        JsonFiles.write(results.resolve("training_statistics.json"), result.statistics().toJson());
        Map<String, Object> description = Description.of(config, configFile, datasetFile, table, split, plan, result,
            cached.embeddedFeatures(), notes, (System.nanoTime() - started) / 1e9);
        if (evaluateTest && cached.test().size() > 0) {
          Predictor.Result predictions = Predictor.run(model, cached.test(), config, metadata, plan.evalBatchSize());
          var stats = SplitStatistics.of(config, cached.test(), predictions, true);
          JsonFiles.write(results.resolve("test_statistics.json"), stats);
          PredictionsCsv.write(results.resolve("predictions.csv"), predictions.outputs(), cached.test().size());
          Log.info("test: " + Description.summary(config, stats));
          description.put("test_summary", Description.summary(config, stats));
        }
        JsonFiles.write(results.resolve("description.json"), description);
      }
      Log.info("results in " + results);
      return results;
    } finally {
      tokenizers.values().forEach(TextTokenizer::close);
    }
  }

  static FidelioConfig loadConfig(Path configFile) {
    try {
      return FidelioConfig.load(configFile);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IllegalArgumentException("config file " + configFile + " not found");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read config " + configFile + ": " + e.getMessage(), e);
    }
  }

  /** The encoder's own limit caps preprocessing.max_sequence_length (and encoder.max_sequence_length wins). */
  private static int maxSequenceLength(TextInputFeature t, PretrainedBert source) {
    int requested = t.encoder().maxSequenceLength() != null ? t.encoder().maxSequenceLength()
        : t.preprocessing().maxSequenceLength();
    int limit = source.config().maxPositionEmbeddings();
    if (requested > limit) {
      Log.warn(t.name() + ": max_sequence_length " + requested + " exceeds the encoder's " + limit + " positions; using "
          + limit);
    }
    return Math.min(requested, limit);
  }

  private static TextTokenizer openTokenizer(PretrainedBert source, int maxLength) {
    var json = source.tokenizer().orElseThrow(() -> new IllegalArgumentException("the pretrained model "
        + source.requested() + " (" + source.source() + ") has no tokenizer.json; Fidelio needs one next to its weights"));
    try (InputStream in = json.open()) {
      return TextTokenizer.load(in, json.location(), maxLength, source.config().padTokenId());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + json.location() + ": " + e.getMessage(), e);
    }
  }

  private static void copyTokenizer(PretrainedBert source, Path target) {
    try (InputStream in = source.tokenizer().orElseThrow().open()) {
      Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the tokenizer to " + target + ": " + e.getMessage(), e);
    }
  }

  private static void configureOptimizer(EcdModel model, FidelioConfig config) {
    var t = config.trainer();
    switch (t.optimizer()) {
      case Optimizer.AdamW a -> model.setAdamW(a.betas().get(0), a.betas().get(1), a.eps(), a.weightDecay());
      case Optimizer.Adam a -> model.setAdamW(a.betas().get(0), a.betas().get(1), a.eps(), 0.0);
      case Optimizer.Sgd s -> throw new IllegalStateException("SupportCheck rejects sgd");
    }
    Double clip = t.gradientClipping().clipglobalnorm();
    model.setGradientClipping(clip == null ? 0 : clip);
  }
}
