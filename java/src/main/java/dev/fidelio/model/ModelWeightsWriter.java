package dev.fidelio.model;

import dev.fidelio.model.NativeModule.StatePart;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Saves a training model into its model folder at every improvement, writing what changed: the
 * parameters that never train (a frozen encoder: nearly all the bytes when embeddings are cached)
 * go to frozen_weights.safetensors once per run; model_weights.safetensors (trained parameters and
 * buffers) and the manifest are rewritten each time. The manifest is written last, so a folder
 * without one is incomplete, never inconsistent.
 */
public final class ModelWeightsWriter {
  private final Path folder;
  // The manifest entries of files written once by this writer, so they are not hashed again.
  private final Map<String, ModelManifest.FileEntry> unchanged = new HashMap<>();
  private boolean frozenWritten;

  public ModelWeightsWriter(Path folder) {
    this.folder = folder;
  }

  public void write(EcdModel model) {
    Path frozen = folder.resolve(ModelBundle.FROZEN_WEIGHTS_FILE);
    try {
      // The manifest goes first: a crash while the weights are rewritten leaves a folder that says it is incomplete.
      Files.deleteIfExists(folder.resolve(ModelManifest.FILE));
      if (!frozenWritten) {
        // A file of an earlier run in this folder is replaced; a model with no frozen parameters has none.
        if (StateFiles.write(frozen, model, StatePart.FROZEN)) {
          unchanged.put(ModelBundle.FROZEN_WEIGHTS_FILE, ModelManifest.entryOf(frozen));
        } else {
          Files.deleteIfExists(frozen);
        }
        frozenWritten = true;
      }
      StateFiles.write(folder.resolve(ModelBundle.WEIGHTS_FILE), model, StatePart.CHANGING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the weights into model folder " + folder + ": " + e.getMessage(), e);
    }
    ModelManifest.write(folder, unchanged);
  }
}
