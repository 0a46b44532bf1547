package dev.fidelio.api;

import java.nio.file.Path;

/**
 * How a training run is named, seeded, placed and watched: the flags of {@code fidelio train}
 * (Ludwig's names) plus a listener and a cancellation. Immutable; each {@code with} method returns a
 * copy with one setting changed.
 *
 * <pre>{@code
 * TrainOptions options = TrainOptions.defaults().outputDirectory(Path.of("runs")).randomSeed(7)
 *     .listener(myListener).cancellation(cancel);
 * }</pre>
 *
 * @param outputDirectory where the results folder is made (default {@code results})
 * @param experimentName the results folder is {@code <experimentName>_<modelName>}, with {@code _1},
 *     {@code _2}, ... when taken (defaults {@code experiment}, {@code run})
 * @param modelName see experimentName
 * @param randomSeed split, initialisation, shuffling and dropout (default 42)
 * @param cacheDirectory root of the preprocessed store; null: beside the dataset file (for rows in
 *     memory: beside the CSV written for them under {@code outputDirectory/in_memory_datasets})
 * @param resumeFrom the results folder of a cancelled or killed run to continue from its newest
 *     checkpoint (same config, data and seed), or null for a new run
 * @param device auto (CUDA when LibTorch sees one), cpu, cuda or cuda:N; default: the environment
 *     variable {@code FIDELIO_DEVICE}, else auto
 * @param listener told of steps, evaluations and best models; null for none
 * @param cancellation stops the run from another thread; null for none
 */
public record TrainOptions(Path outputDirectory, String experimentName, String modelName, long randomSeed,
                           Path cacheDirectory, Path resumeFrom, String device, TrainingListener listener,
                           Cancellation cancellation) {
  /** Checks the settings (folder and names given); a null or blank device is auto. */
  public TrainOptions {
    if (outputDirectory == null) throw new IllegalArgumentException("outputDirectory is null");
    if (experimentName == null || experimentName.isBlank()) {
      throw new IllegalArgumentException("experimentName is empty");
    }
    if (modelName == null || modelName.isBlank()) throw new IllegalArgumentException("modelName is empty");
    if (device == null || device.isBlank()) device = "auto";
  }

  /** {@code results/experiment_run}, seed 42, store beside the dataset, a new run, FIDELIO_DEVICE or auto. */
  public static TrainOptions defaults() {
    String device = System.getenv("FIDELIO_DEVICE");
    return new TrainOptions(Path.of("results"), "experiment", "run", 42, null, null, device, null, null);
  }

  /** A copy with outputDirectory set. */
  public TrainOptions outputDirectory(Path value) {
    return new TrainOptions(value, experimentName, modelName, randomSeed, cacheDirectory, resumeFrom, device,
        listener, cancellation);
  }

  /** A copy with experimentName set. */
  public TrainOptions experimentName(String value) {
    return new TrainOptions(outputDirectory, value, modelName, randomSeed, cacheDirectory, resumeFrom, device,
        listener, cancellation);
  }

  /** A copy with modelName set. */
  public TrainOptions modelName(String value) {
    return new TrainOptions(outputDirectory, experimentName, value, randomSeed, cacheDirectory, resumeFrom, device,
        listener, cancellation);
  }

  /** A copy with randomSeed set. */
  public TrainOptions randomSeed(long value) {
    return new TrainOptions(outputDirectory, experimentName, modelName, value, cacheDirectory, resumeFrom, device,
        listener, cancellation);
  }

  /** A copy with cacheDirectory set. */
  public TrainOptions cacheDirectory(Path value) {
    return new TrainOptions(outputDirectory, experimentName, modelName, randomSeed, value, resumeFrom, device,
        listener, cancellation);
  }

  /** A copy with resumeFrom set. */
  public TrainOptions resumeFrom(Path value) {
    return new TrainOptions(outputDirectory, experimentName, modelName, randomSeed, cacheDirectory, value, device,
        listener, cancellation);
  }

  /** A copy with device set. */
  public TrainOptions device(String value) {
    return new TrainOptions(outputDirectory, experimentName, modelName, randomSeed, cacheDirectory, resumeFrom, value,
        listener, cancellation);
  }

  /** A copy with listener set. */
  public TrainOptions listener(TrainingListener value) {
    return new TrainOptions(outputDirectory, experimentName, modelName, randomSeed, cacheDirectory, resumeFrom, device,
        value, cancellation);
  }

  /** A copy with cancellation set. */
  public TrainOptions cancellation(Cancellation value) {
    return new TrainOptions(outputDirectory, experimentName, modelName, randomSeed, cacheDirectory, resumeFrom, device,
        listener, value);
  }
}
