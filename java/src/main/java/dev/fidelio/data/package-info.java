/**
 * Dataset files (CSV, TSV, JSON Lines, Parquet) read into tables of text cells, and the train/validation/test split.
 *
 * <p><b>Internal:</b> not part of Fidelio's API, which is {@link dev.fidelio.api}; public only so that
 * Fidelio's own packages can use it, and free to change in any release.
 */
package dev.fidelio.data;
