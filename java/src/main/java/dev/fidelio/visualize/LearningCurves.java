package dev.fidelio.visualize;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Ludwig's learning_curves visualization: for each output feature (and "combined") and each of its
 * metrics, one PNG with a line per split (training, validation, test) over the evaluations of
 * training_statistics.json, named learning_curves_FEATURE_METRIC.png; plus the learning rate.
 */
public final class LearningCurves {
  private static final List<String> SPLITS = List.of("training", "validation", "test");
  private static final int WIDTH = 800;
  private static final int HEIGHT = 500;

  private LearningCurves() {}

  /**
   * Draws every curve of statistics (training_statistics.json, parsed) into folder; outputFeature
   * null draws all features. Returns the files written.
   */
  @SuppressWarnings("unchecked")
  public static List<Path> draw(Map<String, Object> statistics, String outputFeature, Path folder) {
    // feature -> metric -> split -> values, in the order the file lists them
    Map<String, Map<String, Map<String, List<Double>>>> curves = new LinkedHashMap<>();
    for (String split : SPLITS) {
      if (!(statistics.get(split) instanceof Map<?, ?> features)) continue;
      ((Map<String, Object>) features).forEach((feature, metrics) -> {
        if (outputFeature != null && !outputFeature.equals(feature)) return;
        ((Map<String, Object>) metrics).forEach((metric, values) -> {
          List<Double> numbers = numbers(values);
          if (numbers != null) {
            curves.computeIfAbsent(feature, f -> new LinkedHashMap<>()).computeIfAbsent(metric,
                m -> new LinkedHashMap<>()).put(split, numbers);
          }
        });
      });
    }
    if (curves.isEmpty()) {
      throw new IllegalArgumentException(outputFeature == null ? "the training statistics hold no metric curves"
          : "the training statistics hold no curves for output feature '" + outputFeature + "'");
    }
    List<Path> written = new ArrayList<>();
    try {
      Files.createDirectories(folder);
      for (var feature : curves.entrySet()) {
        for (var metric : feature.getValue().entrySet()) {
          Path file = folder.resolve("learning_curves_" + safe(feature.getKey()) + "_" + safe(metric.getKey()) + ".png");
          save(file, feature.getKey() + " " + metric.getKey(), metric.getKey(), metric.getValue());
          written.add(file);
        }
      }
      List<Double> rates = numbers(statistics.get("learning_rate"));
      if (rates != null && !rates.isEmpty() && outputFeature == null) {
        Path file = folder.resolve("learning_curves_learning_rate.png");
        save(file, "learning rate", "learning rate", Map.of("training", rates));
        written.add(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the plots into " + folder + ": " + e.getMessage(), e);
    }
    return written;
  }

  private static void save(Path file, String title, String yLabel, Map<String, List<Double>> lines)
      throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    for (var line : lines.entrySet()) {
      XYSeries series = new XYSeries(line.getKey());
      for (int i = 0; i < line.getValue().size(); i++) series.add(i + 1, line.getValue().get(i));
      data.addSeries(series);
    }
    JFreeChart chart = ChartFactory.createXYLineChart(title, "evaluation", yLabel, data, PlotOrientation.VERTICAL,
        true, false, false);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < data.getSeriesCount(); i++) renderer.setSeriesStroke(i, new BasicStroke(2f));
    plot.setRenderer(renderer);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
  }

  /** The values as numbers, or null when they are not a list of numbers (NaN kept: a gap Ludwig shows too). */
  private static List<Double> numbers(Object values) {
    if (!(values instanceof List<?> list)) return null;
    List<Double> numbers = new ArrayList<>();
    for (Object v : list) {
      if (v instanceof Number n) numbers.add(n.doubleValue());
      else if ("NaN".equals(v)) numbers.add(Double.NaN);
      else return null;
    }
    return numbers;
  }

  private static String safe(String name) {
    return name.replaceAll("[^A-Za-z0-9_.-]", "_");
  }
}
