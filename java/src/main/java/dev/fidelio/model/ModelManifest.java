package dev.fidelio.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fidelio.util.Digests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The integrity record of a saved model folder, as checkpoints and the preprocessed store have
 * one: each file's size and SHA-256, written last (after the weights) and atomically, checked
 * before a model is used. Flipped bytes in the weights would otherwise change predictions silently.
 */
public record ModelManifest(int format, Map<String, FileEntry> files) {
  public static final String FILE = "model_manifest.json";
  static final int FORMAT = 1;

  public record FileEntry(long size, String sha256) {}

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  /** Records every file of folder but the manifest itself (and temporary files). */
  public static void write(Path folder) {
    write(folder, Map.of());
  }

  /**
   * As write(folder), taking the entries of files the caller wrote and knows unchanged from known
   * (a size that differs still means the file is hashed again).
   */
  public static void write(Path folder, Map<String, FileEntry> known) {
    Map<String, FileEntry> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(folder)) {
      for (Path file : list.filter(Files::isRegularFile).toList()) {
        String name = file.getFileName().toString();
        if (name.equals(FILE) || name.endsWith(".tmp")) continue;
        FileEntry entry = known.get(name);
        files.put(name, entry != null && entry.size() == Files.size(file) ? entry : entryOf(file));
      }
      Path tmp = folder.resolve(FILE + ".tmp");
      JSON.writeValue(tmp.toFile(), new ModelManifest(FORMAT, files));
      Files.move(tmp, folder.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the manifest of model folder " + folder + ": " + e.getMessage(), e);
    }
  }

  /** The size and SHA-256 of file. */
  public static FileEntry entryOf(Path file) throws IOException {
    return new FileEntry(Files.size(file), Digests.sha256(file));
  }

  /**
   * Throws IllegalArgumentException naming the first file that is missing, of another size or
   * another digest than the manifest says, or a required file the manifest does not list.
   */
  public static void verify(Path folder, List<String> required) {
    ModelManifest manifest;
    try {
      manifest = JSON.readValue(folder.resolve(FILE).toFile(), ModelManifest.class);
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      throw damaged(folder, "it has no " + FILE + ", so training never finished writing it (the manifest is"
          + " written after the weights)");
    } catch (IOException e) {
      throw damaged(folder, FILE + " cannot be read: " + e.getMessage());
    }
    if (manifest.format() != FORMAT || manifest.files() == null) {
      throw damaged(folder, FILE + " is not a manifest of format " + FORMAT);
    }
    for (String name : required) {
      if (!manifest.files().containsKey(name)) throw damaged(folder, FILE + " does not list " + name);
    }
    for (var entry : manifest.files().entrySet()) {
      String name = entry.getKey();
      Path file = folder.resolve(name).normalize();
      if (!file.getParent().equals(folder.normalize())) throw damaged(folder, FILE + " names a file outside it: " + name);
      FileEntry expected = entry.getValue();
      try {
        long size = Files.size(file);
        if (size != expected.size()) {
          throw damaged(folder, name + " has " + size + " bytes, its manifest says " + expected.size());
        }
      } catch (NoSuchFileException e) {
        throw damaged(folder, name + " is missing");
      } catch (IOException e) {
        throw damaged(folder, name + " cannot be read: " + e.getMessage());
      }
      String sha256 = Digests.sha256(file);
      if (!sha256.equals(expected.sha256())) {
        throw damaged(folder, name + " has SHA-256 " + sha256 + ", its manifest says " + expected.sha256()
            + ": the file changed after training wrote it");
      }
    }
  }

  private static IllegalArgumentException damaged(Path folder, String why) {
    return new IllegalArgumentException("model folder " + folder + " is damaged or incomplete: " + why
        + "; train again, or restore the folder from a copy");
  }
}
