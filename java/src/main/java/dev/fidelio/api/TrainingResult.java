package dev.fidelio.api;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What a training run produced. The files stay on disk, owned by the caller: the results folder
 * ({@code description.json}, {@code training_statistics.json}, {@code training_log.csv}, checkpoints,
 * and after {@link Fidelio#experiment} {@code test_statistics.json} and {@code predictions.csv}) and
 * the saved model in {@link #modelDirectory}, which {@link FidelioModel#load} opens.
 *
 * @param resultsDirectory the run's results folder (null only on a data-parallel worker other than
 *     rank 0, which writes nothing; such workers are started by {@code fidelio train --nproc_per_node})
 * @param modelDirectory the best model's folder ({@code resultsDirectory/model})
 * @param trainingStatistics every evaluation's metrics
 * @param testStatistics the best model's test-split metrics: present after {@link Fidelio#experiment}
 *     when the test split has rows
 * @param bestEpoch the epoch whose model was kept
 * @param bestMetric the value of the metric that chose it
 * @param steps optimizer steps run
 * @param epochsRun epochs begun
 * @param stoppedEarly whether early stopping ended the run
 */
public record TrainingResult(Path resultsDirectory, Path modelDirectory, TrainingStatistics trainingStatistics,
                             Optional<Metrics> testStatistics, int bestEpoch, double bestMetric, long steps,
                             int epochsRun, boolean stoppedEarly) {}
