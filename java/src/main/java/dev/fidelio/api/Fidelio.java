package dev.fidelio.api;

import dev.fidelio.experiment.Evaluation;
import dev.fidelio.experiment.Experiment;
import dev.fidelio.metrics.SplitMetrics;
import dev.fidelio.train.RunCancelledException;
import dev.fidelio.train.TrainingHooks;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Fidelio from Java: train, experiment (train, then test), evaluate and preprocess, as the
 * {@code fidelio} commands of the same names do (the CLI calls these methods). Load a trained
 * model for in-memory prediction with {@link FidelioModel#load}.
 *
 * <pre>{@code
 * ModelConfig config = ModelConfig.fromFile(Path.of("config.yaml"));
 * TrainingResult run = Fidelio.experiment(config, TrainingData.file(Path.of("spam.csv")), TrainOptions.defaults());
 * run.testStatistics().orElseThrow().metric("label", "accuracy");
 * try (FidelioModel model = FidelioModel.load(run.modelDirectory())) {
 *   model.predict(List.of(Map.of("text", "Win a free cruise"))).row(0).get("label_predictions");
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> Every method may be called from any thread, several at once: each run owns its
 * model, data and results folder (two runs never share a folder: the second gets a {@code _1}
 * suffix) and frees its native memory before returning. Runs that use dropout draw from LibTorch's
 * one process-wide random generator, so two such runs at the same time stay correct but are not
 * reproducible from their seeds; runs without dropout are. Each run uses all of LibTorch's intra-op
 * threads, so concurrent runs share the cores rather than run faster.
 *
 * <p><b>Resources.</b> Nothing here holds native memory after it returns; the files a run writes
 * (results folder, preprocessed store, the CSV of in-memory rows) belong to the caller. The native
 * library loads on first use (see the README's "Using Fidelio from Java").
 *
 * <p><b>Errors.</b> An invalid config throws {@link InvalidConfigException}; a missing or malformed
 * dataset {@link IllegalArgumentException} (or a subclass) naming the file, row or column; a native
 * failure {@link dev.fidelio.runtime.FidelioException}; a cancelled run {@link TrainingCancelledException}.
 */
public final class Fidelio {
  /** Where in-memory rows are written as CSV, under the cache or output directory. */
  static final String IN_MEMORY_DATASETS = "in_memory_datasets";

  private Fidelio() {}

  /** Trains a model (Ludwig's {@code train}): the best model is saved in the result's model folder. */
  public static TrainingResult train(ModelConfig config, TrainingData data, TrainOptions options) {
    return run(config, data, options, false);
  }

  /** Trains, then evaluates the best model on the test split (Ludwig's {@code experiment}). */
  public static TrainingResult experiment(ModelConfig config, TrainingData data, TrainOptions options) {
    return run(config, data, options, true);
  }

  /**
   * Evaluates a saved model on a dataset whose rows carry their labels: writes predictions.csv and
   * test_statistics.json and returns the metrics.
   */
  public static EvaluationResult evaluate(Path modelDirectory, TrainingData data, EvaluationOptions options) {
    return predictOrEvaluate(modelDirectory, data, options, true);
  }

  /** Predictions of a saved model for a dataset, written to predictions.csv (rows need no labels). */
  public static EvaluationResult predict(Path modelDirectory, TrainingData data, EvaluationOptions options) {
    return predictOrEvaluate(modelDirectory, data, options, false);
  }

  /**
   * Builds the preprocessed store entry of a config and dataset (splitting, fitting, tokenizing,
   * running frozen encoders whose outputs are cached), or verifies the one already there. Uses
   * options' seed and cache directory.
   */
  public static PreprocessResult preprocess(ModelConfig config, TrainingData data, TrainOptions options) {
    Path dataset = data.materialize(inMemoryFolder(options));
    Experiment.Preprocessed p = Experiment.preprocess(config.internal(), dataset, options.randomSeed(),
        options.cacheDirectory());
    return new PreprocessResult(p.entry(), p.key(), p.hit(), p.trainingRows(), p.validationRows(), p.testRows(),
        p.seconds());
  }

  private static TrainingResult run(ModelConfig config, TrainingData data, TrainOptions options, boolean test) {
    Path dataset = data.materialize(inMemoryFolder(options));
    var settings = new Experiment.Settings(options.outputDirectory(), options.experimentName(), options.modelName(),
        options.randomSeed(), options.cacheDirectory(), options.resumeFrom(), options.device());
    Experiment.Outcome outcome;
    try {
      outcome = Experiment.run(config.internal(), config.source(), dataset, settings, test, hooks(options));
    } catch (RunCancelledException e) {
      throw new TrainingCancelledException(e.results(), e.step(), e);
    }
    var training = outcome.training();
    Optional<Metrics> testStatistics = outcome.testStatistics().isEmpty() ? Optional.empty()
        : Optional.of(new Metrics(outcome.testStatistics().toJson()));
    // results is null only on a data-parallel worker other than rank 0 (started by the CLI's launcher).
    return new TrainingResult(outcome.results(), outcome.results() == null ? null : outcome.results().resolve("model"),
        new TrainingStatistics(training.statistics().toJson()), testStatistics, training.bestEpoch(),
        training.bestMetric(), training.steps(), training.epochsRun(), training.stoppedEarly());
  }

  private static EvaluationResult predictOrEvaluate(Path modelDirectory, TrainingData data, EvaluationOptions options,
                                                    boolean withStatistics) {
    Path dataset = data.materialize(options.outputDirectory().resolve(IN_MEMORY_DATASETS));
    Evaluation.Outcome o = Evaluation.run(modelDirectory, dataset, Evaluation.Split.valueOf(options.split().name()),
        options.outputDirectory(), withStatistics, options.batchSize());
    return new EvaluationResult(o.predictions(), withStatistics ? Optional.of(new Metrics(o.statistics().toJson()))
        : Optional.empty(), Optional.ofNullable(o.statisticsFile()), o.rows());
  }

  private static Path inMemoryFolder(TrainOptions options) {
    return (options.cacheDirectory() != null ? options.cacheDirectory() : options.outputDirectory())
        .resolve(IN_MEMORY_DATASETS);
  }

  /** The listener and cancellation as the training loop's hooks. */
  private static TrainingHooks hooks(TrainOptions options) {
    TrainingListener listener = options.listener() != null ? options.listener() : new TrainingListener() {};
    Cancellation cancellation = options.cancellation();
    return new TrainingHooks() {
      @Override
      public void step(int epoch, long step, double learningRate, double loss) {
        listener.onStep(new TrainingListener.Step(epoch, step, learningRate, loss));
      }

      @Override
      public void evaluation(int epoch, long step, double trainingLoss, SplitMetrics validation, SplitMetrics test) {
        listener.onEvaluation(new TrainingListener.Evaluation(epoch, step, trainingLoss,
            new Metrics(validation.toJson()), new Metrics(test.toJson())));
      }

      @Override
      public void bestModel(int epoch, long step, String metric, double value) {
        listener.onBestModel(new TrainingListener.BestModel(epoch, step, metric, value));
      }

      @Override
      public boolean cancelled() {
        return cancellation != null && cancellation.isCancelled();
      }
    };
  }
}
