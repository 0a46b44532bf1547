package dev.fidelio.api;

import java.nio.file.Path;

/**
 * The preprocessed store entry of a config and a dataset ({@link Fidelio#preprocess}): later runs
 * with the same data, seed and preprocessing settings start training without reading a row.
 *
 * @param entry the entry's folder (a cache: deleting it only costs the next run the preprocessing)
 * @param key the SHA-256 key it is stored under
 * @param reused true when the entry was already there (and verified), false when it was built now
 * @param trainingRows rows in the training split
 * @param validationRows rows in the validation split
 * @param testRows rows in the test split
 * @param seconds how long building or verifying it took
 */
public record PreprocessResult(Path entry, String key, boolean reused, int trainingRows, int validationRows,
                               int testRows, double seconds) {
  /** {@code fidelio preprocess}'s line: "stored|reused ENTRY (key K, a/b/c training/validation/test rows, s s)". */
  public String summary() {
    return (reused ? "reused " : "stored ") + entry + " (key " + key + ", " + trainingRows + "/" + validationRows + "/"
        + testRows + " training/validation/test rows, " + String.format("%.1f s)", seconds);
  }
}
