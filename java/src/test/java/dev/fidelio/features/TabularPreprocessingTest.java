package dev.fidelio.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.data.Table;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Number, category and binary inputs: statistics and vocabularies come from the training rows
 * only, every normalization matches its formula, missing and unseen values are handled as
 * configured, and the fitted metadata survives the JSON round trip of a saved model.
 */
class TabularPreprocessingTest {
  // Rows 0-4 are the training split; rows 5-7 hold values far outside it and a class it never saw.
  private static final Table TABLE = table(
      List.of("x", "c", "b", "y"),
      row("1", "red", "yes", "0"), row("2", "blue", "no", "1"), row("4", "red", "yes", "0"),
      row("7", "green", "no", "1"), row(null, "red", null, "0"),
      row("1000", "purple", "no", "1"), row("-50", "purple", "yes", "0"), row("3", null, "no", "1"));
  private static final int[] TRAIN = {0, 1, 2, 3, 4};
  private static final int[] OTHER = {5, 6, 7};

  private static FidelioConfig config(String x, String c, String b) {
    return FidelioConfig.parse("input_features:\n"
        + "  - {name: x, type: number, preprocessing: " + x + "}\n"
        + "  - {name: c, type: category, preprocessing: " + c + "}\n"
        + "  - {name: b, type: binary, preprocessing: " + b + "}\n"
        + "output_features: [{name: y, type: category}]\n");
  }

  private static Dataset fitAndTransform(FidelioConfig config, int[] rows, TrainingSetMetadata[] fitted) {
    TrainingSetMetadata metadata = Preprocessor.fit(config, TABLE, TRAIN, Map.of(), 1);
    if (fitted != null) fitted[0] = metadata;
    return new Preprocessor(config, metadata, Map.of()).transform(TABLE, rows, false, "test");
  }

  @Test
  void statisticsAndVocabulariesComeFromTheTrainingSplitOnly() {
    TrainingSetMetadata[] fitted = new TrainingSetMetadata[1];
    Dataset other = fitAndTransform(config("{}", "{}", "{}"), OTHER, fitted);
    NumberStats stats = fitted[0].number("x");
    double[] train = {1, 2, 4, 7};  // row 4 is missing: not part of the statistics
    double mean = 3.5;
    double std = Math.sqrt(Arrays.stream(train).map(v -> (v - mean) * (v - mean)).sum() / 3);  // sample std, as pandas
    assertEquals(4, stats.count());
    assertEquals(mean, stats.mean(), 1e-12);
    assertEquals(std, stats.std(), 1e-12);
    assertEquals(1, stats.min());
    assertEquals(7, stats.max());
    assertEquals(List.of("<UNK>", "red", "blue", "green"), fitted[0].category("c").idx2str(),
        "purple appears only outside the training split");
    // The held-out rows are normalised with the training statistics, and purple is <UNK>.
    float[] x = floats(other.inputs().get(0));
    assertArrayEquals(new float[] {(float) ((1000 - mean) / std), (float) ((-50 - mean) / std), (float) ((3 - mean) / std)},
        x, 1e-6f);
    assertArrayEquals(new long[] {0, 0, 0}, ids(other.inputs().get(1)),
        "unseen purple and the missing cell (fill_value <UNK>) map to index 0");
    assertArrayEquals(new float[] {0, 1, 0}, floats(other.inputs().get(2)));
  }

  @Test
  void everyNormalizationMatchesItsFormula() {
    double[] train = {1, 2, 4, 7};
    double q1 = 1.75, median = 3, q3 = 4.75;  // numpy's linear quantiles of 1, 2, 4, 7
    Map<String, double[]> expected = Map.of(
        "minmax", new double[] {(1000 - 1) / 6.0, (-50 - 1) / 6.0, (3 - 1) / 6.0},
        "iq", new double[] {(1000 - median) / (q3 - q1), (-50 - median) / (q3 - q1), (3 - median) / (q3 - q1)},
        "null", new double[] {1000, -50, 3});
    for (var entry : expected.entrySet()) {
      Dataset data = fitAndTransform(config("{normalization: " + entry.getKey() + "}", "{}", "{}"), OTHER, null);
      float[] values = floats(data.inputs().get(0));
      for (int i = 0; i < values.length; i++) assertEquals(entry.getValue()[i], values[i], 1e-4, entry.getKey());
    }
    assertEquals(1.75, NumberStats.fit(train).q1(), 1e-12);
    assertEquals(4.75, NumberStats.fit(train).q3(), 1e-12);
    int[] positive = {0, 1, 2};
    FidelioConfig log1p = config("{normalization: log1p}", "{}", "{}");
    TrainingSetMetadata metadata = Preprocessor.fit(log1p, TABLE, TRAIN, Map.of(), 1);
    float[] logs = floats(new Preprocessor(log1p, metadata, Map.of())
        .transform(TABLE, positive, false, "test").inputs().get(0));
    assertArrayEquals(new float[] {(float) Math.log1p(1), (float) Math.log1p(2), (float) Math.log1p(4)}, logs, 1e-6f);
    var e = assertThrows(FeatureException.class,
        () -> new Preprocessor(log1p, metadata, Map.of()).transform(TABLE, new int[] {6}, false, "test"));
    assertTrue(e.getMessage().contains("row 7") && e.getMessage().contains("-50"), e.getMessage());
  }

  @Test
  void missingValuesFollowTheStrategy() {
    int[] withGap = {3, 4};  // x is missing in row 4
    float[] mean = values(fitAndTransform(config("{missing_value_strategy: fill_with_mean, normalization: null}", "{}",
        "{}"), withGap, null));
    assertArrayEquals(new float[] {7, 3.5f}, mean, "the training mean fills the gap");
    assertArrayEquals(new float[] {7, 7}, values(fitAndTransform(config("{missing_value_strategy: ffill,"
        + " normalization: null}", "{}", "{}"), withGap, null)));
    assertArrayEquals(new float[] {7, 1000}, values(fitAndTransform(config("{missing_value_strategy: bfill,"
        + " normalization: null}", "{}", "{}"), withGap, null)));
    assertArrayEquals(new float[] {7, -2}, values(fitAndTransform(config("{missing_value_strategy: fill_with_const,"
        + " fill_value: -2, normalization: null}", "{}", "{}"), withGap, null)));
    Dataset dropped = fitAndTransform(config("{missing_value_strategy: drop_row}", "{}", "{}"), withGap, null);
    assertArrayEquals(new int[] {3}, dropped.sourceRows());
    // category fill_with_mode: the most frequent training class; binary fill_with_true
    Dataset filled = fitAndTransform(config("{}", "{missing_value_strategy: fill_with_mode}",
        "{missing_value_strategy: fill_with_true}"), new int[] {7, 4}, null);
    assertArrayEquals(new long[] {1, 1}, ids(filled.inputs().get(1)), "red");
    assertArrayEquals(new float[] {0, 1}, floats(filled.inputs().get(2)));
  }

  @Test
  void outliersBeyondTheThresholdAreReplacedAsTheStrategySays() {
    // Training mean 3.5, sample std 2.65: 1000 and -50 lie beyond 3 std, 3 does not.
    String raw = "normalization: null, outlier_strategy: ";
    assertArrayEquals(new float[] {3.5f, 3.5f, 3}, values(fitAndTransform(config("{" + raw + "fill_with_mean}", "{}",
        "{}"), OTHER, null)));
    assertArrayEquals(new float[] {-1, -1, 3}, values(fitAndTransform(config("{" + raw + "fill_with_const,"
        + " fill_value: -1}", "{}", "{}"), OTHER, null)));
    assertArrayEquals(new float[] {7, 7, 3}, values(fitAndTransform(config("{" + raw + "ffill}", "{}", "{}"), OTHER,
        null)), "the nearest earlier value that is neither missing nor an outlier (row 3)");
    assertArrayEquals(new float[] {3, 3, 3}, values(fitAndTransform(config("{" + raw + "bfill}", "{}", "{}"), OTHER,
        null)));
    assertArrayEquals(new int[] {7}, fitAndTransform(config("{" + raw + "drop_row}", "{}", "{}"), OTHER, null)
        .sourceRows());
    assertArrayEquals(new float[] {1000, -50, 3}, values(fitAndTransform(config("{" + raw + "fill_with_mean,"
        + " outlier_threshold: 500}", "{}", "{}"), OTHER, null)), "within 500 std: kept");
  }

  @Test
  void numberOutputTargetsAreNormalizedWithTrainingStatisticsAndMappedBack() {
    FidelioConfig config = FidelioConfig.parse("input_features: [{name: c, type: category}]\n"
        + "output_features: [{name: x, type: number, preprocessing: {normalization: zscore}}]\n");
    TrainingSetMetadata metadata = Preprocessor.fit(config, TABLE, TRAIN, Map.of(), 1);
    Dataset other = new Preprocessor(config, metadata, Map.of()).transform(TABLE, OTHER, true, "test");
    double mean = 3.5, std = Math.sqrt((2.5 * 2.5 + 1.5 * 1.5 + 0.5 * 0.5 + 3.5 * 3.5) / 3);
    float[] targets = ((TargetColumn.Values) other.targets().get(0)).values();
    assertArrayEquals(new float[] {(float) ((1000 - mean) / std), (float) ((-50 - mean) / std), (float) ((3 - mean) / std)},
        targets, 1e-5f, "the training split's mean and std (row 4, missing, is not part of them)");
    NumberStats stats = metadata.number("x");
    for (var normalization : dev.fidelio.config.NumberPreprocessing.Normalization.values()) {
      for (double v : new double[] {-0.5, 0, 3, 1000}) {
        assertEquals(v, stats.denormalize(stats.normalize(v, normalization), normalization), 1e-9 * (1 + Math.abs(v)),
            normalization + " round trip of " + v);
      }
    }
  }

  @Test
  void emptyAndConstantColumnsAreHandledOrNamed() {
    Table table = table(List.of("x", "c", "b", "y"), row(null, null, null, "0"), row(null, null, null, "1"));
    int[] all = {0, 1};
    FidelioConfig constFill = config("{}", "{}", "{}");  // fill_with_const 0, <UNK>, fill_with_false
    TrainingSetMetadata metadata = Preprocessor.fit(constFill, table, all, Map.of(), 1);
    Dataset data = new Preprocessor(constFill, metadata, Map.of()).transform(table, all, false, "training");
    assertArrayEquals(new float[] {0, 0}, values(data));
    assertEquals(List.of("<UNK>"), metadata.category("c").idx2str());
    var e = assertThrows(FeatureException.class, () -> Preprocessor.fit(config("{missing_value_strategy: fill_with_mean}",
        "{}", "{}"), table, all, Map.of(), 1));
    assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("fill_with_mean")
        && e.getMessage().contains("empty in every training row"), e.getMessage());

    Table constant = table(List.of("x", "c", "b", "y"), row("5", "a", "yes", "0"), row("5", "a", "no", "1"));
    TrainingSetMetadata fitted = Preprocessor.fit(constFill, constant, all, Map.of(), 1);
    assertArrayEquals(new float[] {0, 0}, values(new Preprocessor(constFill, fitted, Map.of())
        .transform(constant, all, false, "training")), "a zero spread divides by 1, not 0");

    var notNumber = assertThrows(FeatureException.class, () -> Preprocessor.fit(constFill,
        table(List.of("x", "c", "b", "y"), row("5", "a", "yes", "0"), row("five", "a", "no", "1")), all, Map.of(), 1));
    assertTrue(notNumber.getMessage().contains("row 2") && notNumber.getMessage().contains("'five'"),
        notNumber.getMessage());
  }

  @Test
  void metadataSurvivesTheSavedModelsJson() throws Exception {
    TrainingSetMetadata[] fitted = new TrainingSetMetadata[1];
    fitAndTransform(config("{missing_value_strategy: fill_with_mean}", "{}", "{}"), OTHER, fitted);
    ObjectMapper json = new ObjectMapper();
    TrainingSetMetadata back = json.readValue(json.writeValueAsString(fitted[0]), TrainingSetMetadata.class);
    assertEquals(fitted[0].number(), back.number());
    assertEquals(fitted[0].fill(), back.fill());
    assertEquals(fitted[0].category("c").idx2str(), back.category("c").idx2str());
    assertEquals(fitted[0].binary(), back.binary());
  }

  private static float[] values(Dataset data) {
    return floats(data.inputs().get(0));
  }

  private static float[] floats(InputColumn column) {
    return ((InputColumn.Dense) column).values().toArray(ValueLayout.JAVA_FLOAT);
  }

  private static long[] ids(InputColumn column) {
    return ((InputColumn.Dense) column).values().toArray(ValueLayout.JAVA_LONG);
  }

  private static List<String> row(String... cells) {
    return Arrays.asList(cells);
  }

  @SafeVarargs
  private static Table table(List<String> names, List<String>... rows) {
    List<List<String>> columns = new ArrayList<>();
    for (int c = 0; c < names.size(); c++) {
      List<String> column = new ArrayList<>();
      for (List<String> r : rows) column.add(r.get(c));
      columns.add(column);
    }
    return new Table("test.csv", names, columns);
  }
}
