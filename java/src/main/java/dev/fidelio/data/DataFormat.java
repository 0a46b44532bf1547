package dev.fidelio.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The dataset formats Fidelio reads, under Ludwig's names for its {@code format} option. */
public enum DataFormat {
  CSV("csv", ".csv"),
  TSV("tsv", ".tsv", ".tab"),
  JSONL("jsonl", ".jsonl", ".ndjson"),
  PARQUET("parquet", ".parquet");

  private final String ludwigName;
  private final String[] extensions;

  DataFormat(String ludwigName, String... extensions) {
    this.ludwigName = ludwigName;
    this.extensions = extensions;
  }

  public String ludwigName() {
    return ludwigName;
  }

  /** The format named in a config; {@code null} or "auto" means: decide from the file name. */
  public static DataFormat of(String name, Path path) {
    if (name == null || name.isBlank() || name.equalsIgnoreCase("auto")) {
      return fromExtension(path);
    }
    for (DataFormat f : values()) {
      if (f.ludwigName.equalsIgnoreCase(name.trim())) {
        return f;
      }
    }
    throw new DataException("unknown dataset format '" + name + "'; supported: " + names());
  }

  public static DataFormat fromExtension(Path path) {
    String file = path.getFileName().toString().toLowerCase(Locale.ROOT);
    for (DataFormat f : values()) {
      for (String ext : f.extensions) {
        if (file.endsWith(ext)) {
          return f;
        }
      }
    }
    throw new DataException("cannot tell the format of " + path + " from its extension (known: "
        + Arrays.stream(values()).flatMap(f -> Arrays.stream(f.extensions)).collect(Collectors.joining(", "))
        + "); rename the file or set the format explicitly to one of: " + names());
  }

  private static String names() {
    return Arrays.stream(values()).map(DataFormat::ludwigName).collect(Collectors.joining(", "));
  }
}
