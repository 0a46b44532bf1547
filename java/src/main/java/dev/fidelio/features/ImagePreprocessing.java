package dev.fidelio.features;

import dev.fidelio.config.ImageInputFeature;
import dev.fidelio.config.MissingValueStrategy;
import dev.fidelio.data.Table;
import dev.fidelio.util.Log;
import dev.fidelio.weights.TorchvisionWeights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Image inputs: the column names image files, relative to the dataset's folder (or absolute).
 * {@link #fit} settles the size and channels (config, or inferred from a sample of training images
 * as Ludwig's infer_image_dimensions does); {@link #load} decodes and resizes every row's image on
 * a thread pool. An image that is missing, unreadable or corrupt is an error naming the file and
 * row, unless missing_value_strategy is drop_row: then its row is dropped and the count logged.
 */
final class ImagePreprocessing {
  private ImagePreprocessing() {}

  /** The folder relative image paths start from: the dataset file's own folder. */
  static Path datasetFolder(Table table) {
    Path parent = Path.of(table.source()).toAbsolutePath().getParent();
    return parent == null ? Path.of("").toAbsolutePath() : parent;
  }

  static ImageMetadata fit(ImageInputFeature feature, Table table, int[] trainingRows) {
    ImageInputFeature.Preprocessing p = feature.preprocessing();
    String resize = p.resizeMethod().name().toLowerCase(java.util.Locale.ROOT);
    if (feature.encoder().usePretrained()) {
      // Ludwig: a torchvision encoder's images go through its weights' transforms() (3 channels,
      // resize, centre crop, ImageNet mean/std), whatever height, width or num_channels say.
      TorchvisionWeights w = TorchvisionWeights.of(feature.encoder().type(), feature.encoder().modelVariant());
      Log.info(feature.name() + ": images brought to 3x" + w.cropSize() + "x" + w.cropSize() + " by " + w.builder()
          + "'s transforms (shorter side " + w.resizeSize() + ", " + w.interpolation() + ", centre crop, ImageNet "
          + "mean/std)");
      return new ImageMetadata(w.cropSize(), w.cropSize(), 3, resize, true, w.resizeSize(), w.interpolation());
    }
    boolean imagenet = p.standardizeImage() != null;
    if (p.height() != null && p.numChannels() != null) {
      return new ImageMetadata(p.height(), p.width(), p.numChannels(), resize, imagenet);
    }
    // Infer from the first readable training images (Ludwig: infer_image_sample_size of them).
    List<String> column = table.require(feature.column(), table.source() + " (input feature '" + feature.name() + "')");
    Path folder = datasetFolder(table);
    long heights = 0, widths = 0;
    Map<Integer, Integer> channelCounts = new HashMap<>();
    int sampled = 0, firstChannels = 0;
    for (int row : trainingRows) {
      if (sampled == p.inferImageSampleSize()) break;
      String cell = column.get(row);
      if (cell == null || cell.isBlank()) continue;
      try {
        ImageDecoder.Shape shape = ImageDecoder.read(folder.resolve(cell.strip())).shape();
        heights += shape.height();
        widths += shape.width();
        channelCounts.merge(shape.channels() == 2 ? 1 : Math.min(shape.channels(), 3), 1, Integer::sum);
        if (sampled++ == 0) firstChannels = shape.channels();
      } catch (ImageDecoder.UnreadableImage e) {
        // reported with its row when the split is loaded
      }
    }
    if (sampled == 0) {
      throw new FeatureException("input feature '" + feature.name() + "': no readable image among the training rows "
          + "to infer height, width and num_channels from; give them in preprocessing");
    }
    int height = p.height() != null ? p.height() : (int) Math.min(p.inferImageMaxHeight(), Math.round((double) heights / sampled));
    int width = p.width() != null ? p.width() : (int) Math.min(p.inferImageMaxWidth(), Math.round((double) widths / sampled));
    int channels = p.numChannels() != null ? p.numChannels() : imagenet ? 3
        : !p.inferImageNumChannels() ? firstChannels
        : channelCounts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    Log.info(feature.name() + ": images brought to " + channels + "x" + height + "x" + width + " (channels x height x "
        + "width; inferred from " + sampled + " training images where not configured)");
    return new ImageMetadata(height, width, channels, resize, imagenet);
  }

  /**
   * Each row's pixels (channels * height * width bytes, CHW), or null where the row is dropped
   * (keep[i] is then set false).
   */
  static byte[][] load(ImageInputFeature feature, ImageMetadata metadata, Table table, int[] rows, boolean[] keep,
                       String splitName) {
    List<String> column = table.require(feature.column(), table.source() + " (input feature '" + feature.name() + "')");
    MissingValueStrategy strategy = feature.preprocessing().missingValueStrategy();
    Path folder = datasetFolder(table);
    String[] paths = filledPaths(feature, column, rows, keep, strategy, splitName);

    byte[][] pixels = new byte[rows.length][];
    String[] failures = new String[rows.length];
    int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), 8));
    try (ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "fidelio-image-decode");
      t.setDaemon(true);
      return t;
    })) {
      int chunk = Math.max(1, (rows.length + threads * 4 - 1) / (threads * 4));
      List<Future<?>> tasks = new ArrayList<>();
      for (int start = 0; start < rows.length; start += chunk) {
        int from = start, to = Math.min(rows.length, start + chunk);
        tasks.add(pool.submit(() -> {
          for (int i = from; i < to; i++) {
            if (paths[i] == null) continue;
            try {
              pixels[i] = ImageDecoder.load(folder.resolve(paths[i]), metadata);
            } catch (ImageDecoder.UnreadableImage e) {
              failures[i] = e.getMessage();
            }
          }
        }));
      }
      for (Future<?> task : tasks) task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FeatureException("input feature '" + feature.name() + "': interrupted while decoding images");
    } catch (ExecutionException e) {
      throw new FeatureException("input feature '" + feature.name() + "': decoding images failed: " + e.getCause());
    }

    List<String> problems = new ArrayList<>();
    for (int i = 0; i < rows.length; i++) {
      if (failures[i] == null) continue;
      problems.add("row " + rows[i] + " ('" + paths[i] + "'): " + failures[i]);
      keep[i] = false;
    }
    if (!problems.isEmpty()) {
      String listed = String.join("\n  ", problems.subList(0, Math.min(10, problems.size())))
          + (problems.size() > 10 ? "\n  ... and " + (problems.size() - 10) + " more" : "");
      if (strategy != MissingValueStrategy.DROP_ROW) {
        throw new FeatureException(feature.name(), "input feature '" + feature.name() + "': " + problems.size()
            + " image(s) in the " + splitName + " split cannot be read (rows are 0-based data rows of "
            + table.source() + "):\n  " + listed
            + "\nfix the files, or set preprocessing.missing_value_strategy: drop_row to drop such rows");
      }
      Log.warn(splitName + " split: image feature '" + feature.name() + "': dropped " + problems.size()
          + " row(s) whose image cannot be read:\n  " + listed);
    }
    return pixels;
  }

  /** The image path per row after Ludwig's missing-value strategy for empty cells; null where dropped. */
  private static String[] filledPaths(ImageInputFeature feature, List<String> column, int[] rows, boolean[] keep,
                                      MissingValueStrategy strategy, String splitName) {
    String[] paths = new String[rows.length];
    int missing = 0;
    for (int i = 0; i < rows.length; i++) {
      String cell = column.get(rows[i]);
      paths[i] = cell == null || cell.isBlank() ? null : cell.strip();
      if (paths[i] == null) missing++;
    }
    if (missing == 0) return paths;
    switch (strategy) {
      case BFILL -> {
        for (int i = rows.length - 2; i >= 0; i--) if (paths[i] == null) paths[i] = paths[i + 1];
      }
      case FFILL -> {
        for (int i = 1; i < rows.length; i++) if (paths[i] == null) paths[i] = paths[i - 1];
      }
      default -> { }
    }
    int dropped = 0;
    for (int i = 0; i < rows.length; i++) {
      if (paths[i] == null) {
        keep[i] = false;
        dropped++;
      }
    }
    Log.warn(splitName + " split: image feature '" + feature.name() + "' has " + missing + " empty cells: "
        + (strategy == MissingValueStrategy.DROP_ROW ? "rows dropped"
            : "filled by " + strategy.name().toLowerCase(java.util.Locale.ROOT) + (dropped > 0 ? ", " + dropped + " left without a neighbour: dropped" : "")));
    return paths;
  }
}
