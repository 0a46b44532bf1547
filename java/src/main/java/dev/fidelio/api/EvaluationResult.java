package dev.fidelio.api;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What {@link Fidelio#evaluate} or {@link Fidelio#predict} wrote.
 *
 * @param predictionsFile predictions.csv (Ludwig's columns per output feature)
 * @param statistics the split's metrics (evaluate only)
 * @param statisticsFile test_statistics.json holding them (evaluate only)
 * @param rows rows predicted
 */
public record EvaluationResult(Path predictionsFile, Optional<Metrics> statistics, Optional<Path> statisticsFile,
                               int rows) {}
