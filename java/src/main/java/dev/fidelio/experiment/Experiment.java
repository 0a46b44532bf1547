package dev.fidelio.experiment;

import dev.fidelio.config.ConfigError;
import dev.fidelio.config.ConfigException;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.distributed.Workers;
import dev.fidelio.features.TrainingSetMetadata;
import dev.fidelio.metrics.SplitMetrics;
import dev.fidelio.model.TextEncoderModel;
import dev.fidelio.model.EcdModel;
import dev.fidelio.model.ModelBundle;
import dev.fidelio.model.ModelFactory;
import dev.fidelio.model.TrainSpecs;
import dev.fidelio.predict.Calibration;
import dev.fidelio.predict.PredictionsCsv;
import dev.fidelio.predict.Predictor;
import dev.fidelio.runtime.Device;
import dev.fidelio.runtime.NativeRuntime;
import dev.fidelio.store.PreprocessedData;
import dev.fidelio.train.BatchSizeProbe;
import dev.fidelio.train.TrainingHooks;
import dev.fidelio.train.TrainingLoop;
import dev.fidelio.train.TrainingPlan;
import dev.fidelio.util.JsonFiles;
import dev.fidelio.util.Log;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Ludwig's train / experiment: preprocess (or reuse the preprocessed store), build the model from
 * pretrained encoders, train, and write the results folder
 * ({@code description.json}, {@code training_statistics.json}, {@code model/}; with a test
 * evaluation also {@code test_statistics.json} and {@code predictions.csv}).
 */
public final class Experiment {
  /**
   * Where results go and how the run is named (Ludwig's flags); cacheDir is the preprocessed
   * store's root (null: beside the dataset); resumeFrom the results folder of an interrupted run to
   * continue (Ludwig's --model_resume_path), or null for a new run.
   */
  /** device: --device (auto, cpu, cuda, cuda:N; see Device.select). */
  public record Settings(Path outputDirectory, String experimentName, String modelName, long randomSeed,
                         Path cacheDir, Path resumeFrom, String device) {
    public Settings(Path outputDirectory, String experimentName, String modelName, long randomSeed) {
      this(outputDirectory, experimentName, modelName, randomSeed, null, null, "auto");
    }

    public Settings(Path outputDirectory, String experimentName, String modelName, long randomSeed, Path cacheDir) {
      this(outputDirectory, experimentName, modelName, randomSeed, cacheDir, null, "auto");
    }
  }

  /** AdamW keeps two moments per parameter element. */
  private static final int OPTIMIZER_STATE_SLOTS = 2;

  private Experiment() {}

  /**
   * Trains; with evaluateTest also evaluates the test split. Returns the results folder (null on a
   * data-parallel worker other than rank 0, which writes nothing).
   */
  public static Path run(Path configFile, Path datasetFile, Settings settings, boolean evaluateTest) {
    return run(loadConfig(configFile), configFile.toString(), datasetFile, settings, evaluateTest, TrainingHooks.NONE)
        .results();
  }

  /**
   * What a run produced: its results folder (null on a data-parallel worker other than rank 0), what
   * training saw, and the test split's statistics (empty without a test evaluation or test rows).
   */
  public record Outcome(Path results, TrainingLoop.Result training, SplitMetrics testStatistics) {}

  /**
   * As {@link #run(Path, Path, Settings, boolean)}, for a config already parsed; configSource says
   * where it came from (description.json's config_file); hooks observe and may cancel the run.
   */
  public static Outcome run(FidelioConfig config, String configSource, Path datasetFile, Settings settings,
                            boolean evaluateTest, TrainingHooks hooks) {
    long started = System.nanoTime();
    long encoderRowsAtStart = TextEncoderModel.forwardRows();
    NativeRuntime.manualSeed(settings.randomSeed());
    NativeRuntime.memoryStats(true); // counts LibTorch's CPU allocations from here, for description.json
    try (Workers workers = Workers.start(config.backend(), System.getenv());
         TextEncoders encoders = TextEncoders.load(config)) {
      if (workers.distributed()) requireSingleProcessFeatures(config, settings);
      Preparation.Pending pending = Preparation.start(config, datasetFile, settings.randomSeed(), encoders,
          settings.cacheDir());
      TrainingSetMetadata metadata = pending.data().metadata();
      Path results = !workers.writesResults() ? null
          : settings.resumeFrom() != null ? resumeFolder(settings.resumeFrom(), config)
          : OutputDirectory.create(settings.outputDirectory(), settings.experimentName(), settings.modelName());
      Path modelFolder = results == null ? null : results.resolve("model");
      if (results != null) {
        ModelBundle.writeDescription(modelFolder, config, metadata);
        encoders.copyTokenizers(modelFolder);
      }
      List<String> notes = new ArrayList<>();
      TrainingPlan plan = TrainingPlan.of(config, pending.data().training().size(), settings.randomSeed(),
          workers.worldSize(), null, null);
      if (workers.fromRankZero(plan.batchSize()) != plan.batchSize()) {
        throw new IllegalStateException("rank " + workers.rank() + " chose batch size " + plan.batchSize()
            + ", rank 0 another: every worker must train on the same data and config");
      }
      Device device = trainingDevice(settings, workers);
      try (EcdModel model = ModelFactory.build(config, metadata, encoders.pretrained(), ImageEncoders.pretrained(config),
          settings.randomSeed(), notes)) {
        encoders.releaseWeights();
        // A resumed run's checkpoint replaces these weights; a fresh one starts its number heads at a fit.
        OutputInitialization.startNumberOutputs(model, config, pending.data().training(), 1024);
        model.toDevice(device);
        String compiled = model.configure(TrainSpecs.of(config, device));
        if (config.trainer().compile()) Log.info("trainer.compile: " + compiled);
        workers.attach(model);
        Preparation.Result prepared = Preparation.finish(pending, model, config, plan.evalBatchSize());
        PreprocessedData data = prepared.data();
        BatchSizeProbe.Resolved probed = BatchSizeProbe.resolve(config, plan, model, data.training(),
            data.validation(), results, () -> model.configure(TrainSpecs.of(config, device)));
        plan = probed.plan();
        double secondsToTraining = (System.nanoTime() - started) / 1e9;
        Log.info(String.format("training starts %.2f s after the run started", secondsToTraining));
        // The peak so far is loading and preprocessing; from here it is what training itself needs.
        NativeRuntime.MemoryStats beforeTraining = NativeRuntime.memoryStats(true);
        TrainingLoop.Result result = TrainingLoop.run(model, config, metadata, plan, data.training(),
            data.validation(), data.test(), results, settings.resumeFrom() != null, workers, hooks);
        Map<String, Object> distributed = workers.describe(OPTIMIZER_STATE_SLOTS);
        if (Calibration.fit(model, config, metadata, data.validation(), plan.evalBatchSize())) {
          Log.info("calibration: temperatures " + metadata.temperature() + " (fitted on the validation split)");
          if (modelFolder != null) ModelBundle.updateDescription(modelFolder, config, metadata);
        }
        if (!workers.writesResults()) return new Outcome(null, result, SplitMetrics.NONE);
        JsonFiles.write(results.resolve("training_statistics.json"), result.statistics().toJson());
        // Taken before the test evaluation: description.json reports what training used.
        Map<String, String> runtime = NativeRuntime.info();
        Map<String, Object> memory = memoryUse(beforeTraining);
        SplitMetrics testStatistics = SplitMetrics.NONE;
        String testSummary = null;
        if (evaluateTest && data.test().size() > 0) {
          Predictor.Result predictions = Predictor.run(model, data.test(), config, metadata, plan.evalBatchSize());
          testStatistics = SplitMetrics.of(config, data.test(), predictions, true);
          JsonFiles.write(results.resolve("test_statistics.json"), testStatistics.toJson());
          PredictionsCsv.write(results.resolve("predictions.csv"), predictions.outputs(), data.test().size());
          testSummary = RunDescription.summary(config, testStatistics);
          Log.info("test: " + testSummary);
        }
        int[] splitRows = data.splitRows();
        RunDescription description = new RunDescription(configSource, datasetFile.toAbsolutePath().toString(),
            data.datasetRows(), List.of(splitRows[0], splitRows[1], splitRows[2]), plan.describe(),
            data.cachedEmbeddings(), prepared.describe(), secondsToTraining, result, notes, runtime,
            System.getProperty("java.version"), config.toYamlNode(), distributed, probed.probes(), memory,
            device.toString(), config.trainer().compile() ? compileDescription(compiled, model) : null, testSummary,
            TextEncoderModel.forwardRows() - encoderRowsAtStart, (System.nanoTime() - started) / 1e9);
        JsonFiles.write(results.resolve("description.json"), description.toJson());
        Log.info("results in " + results);
        return new Outcome(results, result, testStatistics);
      }
    }
  }

  /**
   * fidelio preprocess: builds the preprocessed store entry (running the frozen encoders whose
   * outputs are cached) or verifies the existing one; returns a one-line summary.
   */
  public static String preprocess(Path configFile, Path datasetFile, long randomSeed, Path cacheDir) {
    return preprocess(loadConfig(configFile), datasetFile, randomSeed, cacheDir).summary();
  }

  /** The preprocessed store entry a config and dataset have: where, its key, whether it was there, its rows. */
  public record Preprocessed(Path entry, String key, boolean hit, int trainingRows, int validationRows, int testRows,
                             double seconds) {
    /** "stored|reused ENTRY (key K, a/b/c training/validation/test rows, s s)": fidelio preprocess's line. */
    public String summary() {
      return (hit ? "reused " : "stored ") + entry + " (key " + key + ", " + trainingRows + "/" + validationRows + "/"
          + testRows + " training/validation/test rows, " + String.format("%.1f s)", seconds);
    }
  }

  /** As {@link #preprocess(Path, Path, long, Path)}, for a config already parsed. */
  public static Preprocessed preprocess(FidelioConfig config, Path datasetFile, long randomSeed, Path cacheDir) {
    NativeRuntime.manualSeed(randomSeed);
    try (TextEncoders encoders = TextEncoders.load(config)) {
      Preparation.Pending pending = Preparation.start(config, datasetFile, randomSeed, encoders, cacheDir);
      boolean needsModel = !pending.hit() && !EmbeddingCache.cachedInputs(config).isEmpty();
      // The model is only needed to run the encoders whose outputs are cached; nothing is trained.
      try (EcdModel model = needsModel ? ModelFactory.build(config, pending.data().metadata(), encoders.pretrained(),
          ImageEncoders.pretrained(config), randomSeed, new ArrayList<>()) : null) {
        if (model != null) model.toDevice(Device.select(System.getenv("FIDELIO_DEVICE")));
        int evalBatchSize = TrainingPlan.of(config, pending.data().training().size(), randomSeed).evalBatchSize();
        Preparation.Result prepared = Preparation.finish(pending, model, config, evalBatchSize);
        // A training run goes on without the store; this command exists to write it.
        if (prepared.entry() == null) {
          throw new IllegalStateException("the preprocessed store could not be written: " + prepared.storeError()
              + "; free space there, or pass --cache_dir to put it elsewhere");
        }
        return new Preprocessed(prepared.entry(), prepared.key().hash(), prepared.hit(),
            prepared.data().training().size(), prepared.data().validation().size(), prepared.data().test().size(),
            prepared.seconds());
      }
    }
  }

  /** LibTorch's peak CPU bytes since the run started and the process's peak resident set (VmHWM). */
  /**
   * What a data-parallel run cannot do yet: resume (under ZeRO-1 no rank holds the whole optimizer
   * state, so no checkpoints are written) and batch-size probing (each rank would probe its own).
   */
  private static void requireSingleProcessFeatures(FidelioConfig config, Settings settings) {
    if (settings.resumeFrom() != null) {
      throw new IllegalArgumentException("--model_resume_path: resuming a data-parallel run is not supported yet;"
          + " data-parallel runs write no checkpoints");
    }
    List<ConfigError> errors = new ArrayList<>();
    for (var key : List.of("batch_size", "eval_batch_size")) {
      var value = key.equals("batch_size") ? config.trainer().batchSize() : config.trainer().evalBatchSize();
      if (value instanceof dev.fidelio.config.AutoOr.Auto<Integer>) {
        errors.add(new ConfigError("trainer." + key, "auto is not supported with several workers yet: give a number"
            + " of rows per worker"));
      }
    }
    if (!errors.isEmpty()) throw new ConfigException(errors);
  }

  /**
   * LibTorch's CPU memory: the run's peak, and the training peak above what was in use when training
   * started (activations, gradients, optimizer state: what batch size and mixed precision change).
   */
  private static Map<String, Object> memoryUse(NativeRuntime.MemoryStats beforeTraining) {
    Map<String, Object> memory = new java.util.LinkedHashMap<>();
    long trainingPeak = NativeRuntime.memoryStats(false).peak();
    memory.put("torch_cpu_peak_bytes", Math.max(beforeTraining.peak(), trainingPeak));
    memory.put("torch_cpu_training_peak_above_start_bytes", trainingPeak - beforeTraining.inUse());
    try {
      for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          memory.put("process_peak_rss_bytes", 1024 * Long.parseLong(line.replaceAll("[^0-9]", "")));
        }
      }
    } catch (IOException e) {
      memory.put("process_peak_rss_bytes", null); // not Linux: unknown
    }
    return memory;
  }

  /** The interrupted run's results folder, checked: it must hold a model trained with the same config. */
  private static Path resumeFolder(Path folder, FidelioConfig config) {
    // A checkpoint's data position is steps times one batch size; a batch that grew would misplace it.
    if (config.trainer().increaseBatchSizeOnPlateau() > 0) {
      throw new IllegalArgumentException("--model_resume_path: resuming a run with trainer.increase_batch_size_on_plateau"
          + " > 0 is not supported yet; start it again, or set it to 0");
    }
    Path saved = folder.resolve("model").resolve(ModelBundle.CONFIG_FILE);
    if (!java.nio.file.Files.exists(saved)) {
      throw new IllegalArgumentException("--model_resume_path " + folder + " is not the results folder of a run (no "
          + "model/" + ModelBundle.CONFIG_FILE + "); pass the folder the interrupted run printed as 'results in ...'");
    }
    if (!loadConfig(saved).toYamlNode().equals(config.toYamlNode())) {
      throw new IllegalArgumentException("--config differs from the config of the run in " + folder
          + "; resume with the same config (see " + saved + ")");
    }
    Log.info("resuming the run in " + folder);
    return folder;
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

  /** --device; data-parallel workers train on the CPU (their process group is Gloo). */
  private static Device trainingDevice(Settings settings, Workers workers) {
    Device device = Device.select(settings.device());
    if (workers.distributed() && device.type() == Device.Type.CUDA) {
      if (settings.device() != null && !settings.device().equalsIgnoreCase("auto")) {
        throw new IllegalArgumentException("--device " + settings.device() + ": data-parallel training runs on the CPU"
            + " only for now (Gloo process group); use --device cpu");
      }
      Log.info("data-parallel workers train on the CPU (Gloo process group), though CUDA is available");
      return Device.CPU;
    }
    Log.info("training on " + device);
    return device;
  }

  private static Map<String, Object> compileDescription(String report, EcdModel model) {
    EcdModel.CompileStats stats = model.compileStats();
    Map<String, Object> compile = new java.util.LinkedHashMap<>();
    compile.put("report", report);
    compile.put("captured_graphs", stats.graphs());
    compile.put("replayed_steps", stats.replays());
    compile.put("eager_steps", stats.eagerSteps());
    if (stats.eagerMs() > 0) {
      compile.put("evaluation_forward", stats.frozenMs() < stats.eagerMs() ? "frozen" : "eager");
      compile.put("first_batch_ms", Map.of("frozen", stats.frozenMs(), "eager", stats.eagerMs()));
      compile.put("frozen_max_relative_difference", stats.frozenDifference());
      compile.put("frozen_copies", stats.frozenCopies());
    }
    return compile;
  }
}
