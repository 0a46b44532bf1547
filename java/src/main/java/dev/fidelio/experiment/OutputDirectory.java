package dev.fidelio.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Ludwig's results layout: {@code <output_directory>/<experiment_name>_<model_name>}, with
 * {@code _1}, {@code _2}, ... appended when that folder exists, so no run overwrites another.
 */
public final class OutputDirectory {
  private OutputDirectory() {}

  public static Path create(Path outputDirectory, String experimentName, String modelName) {
    String base = experimentName + "_" + modelName;
    try {
      Files.createDirectories(outputDirectory);
      for (int suffix = 0; ; suffix++) {
        Path candidate = outputDirectory.resolve(suffix == 0 ? base : base + "_" + suffix);
        try {
          // createDirectory is atomic: two runs started at once get different folders.
          return Files.createDirectory(candidate);
        } catch (java.nio.file.FileAlreadyExistsException e) {
          // taken: try the next suffix
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the results folder under " + outputDirectory + ": " + e.getMessage(), e);
    }
  }
}
