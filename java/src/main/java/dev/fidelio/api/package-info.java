/**
 * Fidelio's public API: train, evaluate, predict and preprocess from Java
 * ({@link dev.fidelio.api.Fidelio}), and load a trained model for in-memory prediction
 * ({@link dev.fidelio.api.FidelioModel}).
 *
 * <p>A config is a {@link dev.fidelio.api.ModelConfig} (YAML text, a file or a map, validated when
 * made); data is {@link dev.fidelio.api.TrainingData} (a file, rows or columns in memory); a run is
 * shaped by {@link dev.fidelio.api.TrainOptions}, watched by a {@link dev.fidelio.api.TrainingListener}
 * and stopped resumably by a {@link dev.fidelio.api.Cancellation}; it returns a
 * {@link dev.fidelio.api.TrainingResult}. This package is the whole API: every other
 * {@code dev.fidelio} package is internal and may change in any release.
 *
 * <p>Threads: every method of {@link dev.fidelio.api.Fidelio} may be called from any thread, several at
 * once; {@link dev.fidelio.api.FidelioModel#predict} too. Value types here are immutable. Native memory
 * is held only by an open {@link dev.fidelio.api.FidelioModel}, until its {@code close()}.
 *
 * <p>Native code: libfidelio.so is loaded on first use from the fidelio-native-linux-x86_64 jar on the
 * class path (see the README's "Using Fidelio from Java" for LibTorch and the speed settings).
 */
package dev.fidelio.api;
