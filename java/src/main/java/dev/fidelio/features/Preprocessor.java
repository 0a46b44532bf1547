package dev.fidelio.features;

import dev.fidelio.config.BinaryOutputFeature;
import dev.fidelio.config.CategoryOutputFeature;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.ImageInputFeature;
import dev.fidelio.config.InputFeature;
import dev.fidelio.config.MissingValueStrategy;
import dev.fidelio.config.NumberOutputFeature;
import dev.fidelio.config.NumberPreprocessing;
import dev.fidelio.config.OutputFeature;
import dev.fidelio.config.TextInputFeature;
import dev.fidelio.data.Table;
import dev.fidelio.runtime.DType;
import dev.fidelio.text.TextTokenizer;
import dev.fidelio.util.Log;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns table rows into a {@link Dataset}: text to token ids, numbers normalised, categories to
 * vocabulary indices, binaries and binary labels to 0/1, output classes to indices, with the
 * configured handling of missing values. Statistics come from {@link TrainingSetMetadata},
 * which {@link #fit} computes from the training split only.
 */
public final class Preprocessor {
  private final FidelioConfig config;
  private final TrainingSetMetadata metadata;
  private final Map<String, TextTokenizer> tokenizers;

  public Preprocessor(FidelioConfig config, TrainingSetMetadata metadata, Map<String, TextTokenizer> tokenizers) {
    this.config = config;
    this.metadata = metadata;
    this.tokenizers = tokenizers;
  }

  /**
   * Fits number statistics, vocabularies and labels (inputs and outputs) on the training rows only;
   * text metadata is given (it comes from the encoder).
   */
  public static TrainingSetMetadata fit(FidelioConfig config, Table table, int[] trainingRows,
                                        Map<String, TextMetadata> text, long randomSeed) {
    TrainingSetMetadata metadata = TrainingSetMetadata.empty(randomSeed);
    metadata.text().putAll(text);
    for (InputFeature input : config.inputFeatures()) {
      if (!(input instanceof TextInputFeature) && !(input instanceof ImageInputFeature)) {
        TabularInputs.fit(input, table, trainingRows, metadata);
      }
    }
    Table training = table.rows(trainingRows);
    for (InputFeature input : config.inputFeatures()) {
      if (input instanceof ImageInputFeature image) {
        metadata.image().put(image.name(), ImagePreprocessing.fit(image, table, trainingRows));
      }
    }
    for (OutputFeature output : config.outputFeatures()) {
      List<String> values = training.require(output.column(), table.source() + " (output feature '" + output.name() + "')");
      switch (output) {
        case CategoryOutputFeature c -> {
          CategoryVocabulary vocabulary = CategoryVocabulary.fit(values, c.preprocessing().mostCommon());
          if (vocabulary.size() < 2) {
            throw new FeatureException("category output '" + c.name() + "' has " + vocabulary.size() + " class(es) "
                + vocabulary.idx2str() + " in the training split; it needs at least 2");
          }
          metadata.category().put(c.name(), vocabulary);
        }
        case BinaryOutputFeature b ->
            metadata.binary().put(b.name(), BinaryLabels.fit(values, b.preprocessing().fallbackTrueLabel(), b.name()));
        case NumberOutputFeature n -> {
          if (n.preprocessing().normalization() != null) {
            double[] finite = values.stream().mapToDouble(Preprocessor::parseNumber).filter(Double::isFinite).toArray();
            metadata.number().put(n.name(), NumberStats.fit(finite));
          }
        }
      }
    }
    return metadata;
  }

  /**
   * The dataset of rows; with targets, rows whose target is missing or unknown are dropped (Ludwig's
   * default for output features) and the count is logged.
   */
  public Dataset transform(Table table, int[] rows, boolean withTargets, String splitName) {
    boolean[] keep = new boolean[rows.length];
    java.util.Arrays.fill(keep, true);
    Map<String, List<String>> texts = new LinkedHashMap<>();
    Map<String, InputColumn> tabular = new LinkedHashMap<>();
    Map<String, byte[][]> images = new LinkedHashMap<>();
    for (InputFeature input : config.inputFeatures()) {
      switch (input) {
        case TextInputFeature t -> texts.put(t.name(), textValues(t, table, rows, keep, splitName));
        case ImageInputFeature i ->
            images.put(i.name(), ImagePreprocessing.load(i, metadata.image(i.name()), table, rows, keep, splitName));
        default -> tabular.put(input.name(), TabularInputs.transform(input, table, rows, keep, splitName, metadata));
      }
    }
    List<TargetColumn> targets = new ArrayList<>();
    if (withTargets) {
      Map<String, Object> raw = new HashMap<>();
      for (OutputFeature output : config.outputFeatures()) raw.put(output.name(), targetValues(output, table, rows, keep, splitName));
      int[] kept = keptIndices(keep);
      for (OutputFeature output : config.outputFeatures()) targets.add(select(raw.get(output.name()), kept));
    }
    int[] kept = keptIndices(keep);
    if (kept.length < rows.length) {
      Log.warn(splitName + " split: dropped " + (rows.length - kept.length) + " of " + rows.length
          + " rows with missing or unknown values (see the messages above)");
    }
    List<InputColumn> inputs = new ArrayList<>();
    for (InputFeature input : config.inputFeatures()) {
      if (input instanceof ImageInputFeature image) {
        inputs.add(imageColumn(images.get(image.name()), kept, metadata.image(image.name())));
        continue;
      }
      List<String> text = texts.get(input.name());
      if (text == null) {
        inputs.add(select(tabular.get(input.name()), kept));
        continue;
      }
      List<String> values = new ArrayList<>(kept.length);
      for (int i : kept) values.add(text.get(i));
      TextTokenizer tokenizer = tokenizers.get(input.name());
      inputs.add(InputColumn.Tokens.of(tokenizer.encode(values), tokenizer.padTokenId()));
    }
    int[] sourceRows = new int[kept.length];
    for (int i = 0; i < kept.length; i++) sourceRows[i] = rows[kept[i]];
    return new Dataset(sourceRows, inputs, targets);
  }

  /** Float [C, H, W] per kept row: pixels / 255, then ImageNet's mean and std per channel when configured. */
  private static InputColumn imageColumn(byte[][] pixels, int[] kept, ImageMetadata image) {
    int size = image.pixelsPerImage(), plane = image.height() * image.width();
    float[] values = new float[kept.length * size];
    for (int k = 0; k < kept.length; k++) {
      byte[] row = pixels[kept[k]];
      for (int j = 0; j < size; j++) {
        float v = (row[j] & 0xFF) / 255f;
        if (image.imagenet1k()) {
          int c = j / plane;
          v = (v - ImageMetadata.IMAGENET_MEAN[c]) / ImageMetadata.IMAGENET_STD[c];
        }
        values[k * size + j] = v;
      }
    }
    return InputColumn.Dense.of(values, image.numChannels(), image.height(), image.width());
  }

  private List<String> textValues(TextInputFeature t, Table table, int[] rows, boolean[] keep, String splitName) {
    List<String> column = table.require(t.column(), table.source() + " (input feature '" + t.name() + "')");
    MissingValueStrategy strategy = t.preprocessing().missingValueStrategy();
    String fill = metadata.text(t.name()).fillValue();
    List<String> values = new ArrayList<>(rows.length);
    int missing = 0;
    for (int i = 0; i < rows.length; i++) {
      String v = column.get(rows[i]);
      if (v == null || v.isBlank()) {
        missing++;
        switch (strategy) {
          case DROP_ROW -> keep[i] = false;
          case FILL_WITH_CONST -> v = fill;
          default -> throw new FeatureException("input_features '" + t.name() + "': missing_value_strategy "
              + strategy.name().toLowerCase() + " is not supported yet (use fill_with_const or drop_row)");
        }
      }
      // Ludwig lower-cases the text before its tokenizer sees it (a cased tokenizer then sees no capitals).
      values.add(v != null && t.preprocessing().lowercase() ? v.toLowerCase(Locale.ROOT) : v);
    }
    if (missing > 0) {
      Log.warn(splitName + " split: text feature '" + t.name() + "' has " + missing + " empty or missing values: "
          + (strategy == MissingValueStrategy.DROP_ROW ? "rows dropped" : "filled with '" + fill + "'"));
    }
    return values;
  }

  /** long[] class ids, or float[] values; sets keep[i] false for a missing or unknown target. */
  private Object targetValues(OutputFeature output, Table table, int[] rows, boolean[] keep, String splitName) {
    List<String> column = table.require(output.column(), table.source() + " (output feature '" + output.name() + "')");
    int missing = 0;
    int unknown = 0;
    switch (output) {
      case CategoryOutputFeature c -> {
        CategoryVocabulary vocabulary = metadata.category(c.name());
        long[] ids = new long[rows.length];
        for (int i = 0; i < rows.length; i++) {
          String v = column.get(rows[i]);
          int id = v == null ? -1 : vocabulary.index(v);
          if (v == null) missing++;
          else if (id < 0) unknown++;
          if (id < 0) keep[i] = false;
          ids[i] = Math.max(id, 0);
        }
        report(splitName, output.name(), missing, unknown, "classes seen in training: " + vocabulary.idx2str());
        return ids;
      }
      case BinaryOutputFeature b -> {
        BinaryLabels labels = metadata.binary(b.name());
        float[] values = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
          String v = column.get(rows[i]);
          Boolean parsed = labels.parse(v);
          if (v == null) missing++;
          else if (parsed == null) unknown++;
          if (parsed == null) keep[i] = false;
          values[i] = Boolean.TRUE.equals(parsed) ? 1f : 0f;
        }
        report(splitName, output.name(), missing, unknown, "labels: " + labels.falseLabel() + "/" + labels.trueLabel());
        return values;
      }
      case NumberOutputFeature n -> {
        NumberScale scale = NumberScale.of(n, metadata);
        float[] values = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
          String v = column.get(rows[i]);
          float parsed = (float) scale.toModel(parseNumber(v));  // NaN stays NaN; log1p of <= -1 is not finite
          if (v == null) missing++;
          else if (!Float.isFinite(parsed)) unknown++;
          if (!Float.isFinite(parsed)) keep[i] = false;
          values[i] = !Float.isFinite(parsed) ? 0f : parsed;
        }
        report(splitName, output.name(), missing, unknown, "values must be finite numbers"
            + (n.preprocessing().normalization() == NumberPreprocessing.Normalization.LOG1P ? " above -1 (log1p)" : ""));
        return values;
      }
    }
  }

  private static float parseNumber(String v) {
    if (v == null) return Float.NaN;
    try {
      float f = Float.parseFloat(v.strip());
      return Float.isFinite(f) ? f : Float.NaN;  // NaN marks the row as unusable
    } catch (NumberFormatException e) {
      return Float.NaN;
    }
  }

  private static void report(String split, String feature, int missing, int unknown, String detail) {
    if (missing > 0) Log.warn(split + " split: output '" + feature + "' is missing in " + missing + " rows: dropped");
    if (unknown > 0) {
      Log.warn(split + " split: output '" + feature + "' has " + unknown + " values it cannot use (" + detail
          + "): rows dropped");
    }
  }

  /** The kept rows of a tabular column (one float or int64 per row). */
  private static InputColumn select(InputColumn column, int[] kept) {
    var dense = (InputColumn.Dense) column;
    if (dense.dtype() == DType.INT64) {
      long[] ids = dense.values().toArray(ValueLayout.JAVA_LONG);
      long[] out = new long[kept.length];
      for (int i = 0; i < kept.length; i++) out[i] = ids[kept[i]];
      return TabularInputs.classIds(out);
    }
    float[] values = dense.values().toArray(ValueLayout.JAVA_FLOAT);
    float[] out = new float[kept.length];
    for (int i = 0; i < kept.length; i++) out[i] = values[kept[i]];
    return InputColumn.Dense.of(out);
  }

  private static TargetColumn select(Object values, int[] kept) {
    if (values instanceof long[] ids) {
      long[] out = new long[kept.length];
      for (int i = 0; i < kept.length; i++) out[i] = ids[kept[i]];
      return new TargetColumn.ClassIds(out);
    }
    float[] v = (float[]) values;
    float[] out = new float[kept.length];
    for (int i = 0; i < kept.length; i++) out[i] = v[kept[i]];
    return new TargetColumn.Values(out);
  }

  private static int[] keptIndices(boolean[] keep) {
    int n = 0;
    for (boolean k : keep) n += k ? 1 : 0;
    int[] kept = new int[n];
    for (int i = 0, j = 0; i < keep.length; i++) if (keep[i]) kept[j++] = i;
    return kept;
  }
}
