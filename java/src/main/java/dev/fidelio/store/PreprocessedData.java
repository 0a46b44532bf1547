package dev.fidelio.store;

import dev.fidelio.features.Dataset;
import dev.fidelio.features.TrainingSetMetadata;
import java.util.List;

/**
 * What preprocessing produces and the store keeps: the three splits' tensors, the training-set
 * metadata fitted on them, and the counts a run reports.
 *
 * @param datasetRows rows read (after sampling), before the split
 * @param splitRows rows per split (training, validation, test) before rows with missing values were dropped
 * @param cachedEmbeddings input features whose columns hold encoder outputs rather than raw tokens
 */
public record PreprocessedData(TrainingSetMetadata metadata, Dataset training, Dataset validation, Dataset test,
                               int datasetRows, int[] splitRows, List<String> cachedEmbeddings) {
  public PreprocessedData {
    splitRows = splitRows.clone();
    cachedEmbeddings = List.copyOf(cachedEmbeddings);
  }
}
