package dev.fidelio.predict;

import dev.fidelio.config.BinaryOutputFeature;
import dev.fidelio.config.CategoryOutputFeature;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.Loss;
import dev.fidelio.config.NumberOutputFeature;
import dev.fidelio.features.NumberScale;
import dev.fidelio.config.OutputFeature;
import dev.fidelio.features.Dataset;
import dev.fidelio.features.TrainingSetMetadata;
import dev.fidelio.model.EcdModel;
import dev.fidelio.runtime.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Runs a model over a dataset in batches (evaluation mode): predictions per output and the mean loss. */
public final class Predictor {
  /** The predictions, and the mean loss over rows (NaN without targets). */
  public record Result(List<OutputPredictions> outputs, double loss) {}

  private Predictor() {}

  public static Result run(EcdModel model, Dataset data, FidelioConfig config, TrainingSetMetadata metadata,
                           int batchSize) {
    int n = data.size();
    List<OutputFeature> outputs = config.outputFeatures();
    List<float[][]> values = new ArrayList<>();
    for (int o = 0; o < outputs.size(); o++) values.add(new float[n][]);
    double lossSum = 0;
    for (int start = 0; start < n; start += batchSize) {
      int[] rows = java.util.stream.IntStream.range(start, Math.min(n, start + batchSize)).toArray();
      List<Tensor> inputs = data.inputTensors(rows);
      List<Tensor> targets = data.hasTargets() ? data.targetTensors(rows) : List.of();
      try (EcdModel.Evaluation evaluation = model.evaluate(inputs, targets)) {
        lossSum += evaluation.loss() * rows.length;
        for (int o = 0; o < outputs.size(); o++) {
          Tensor prediction = evaluation.predictions().get(o);
          float[] flat = prediction.toFloatArray();
          int width = flat.length / rows.length;
          for (int i = 0; i < rows.length; i++) {
            values.get(o)[start + i] = java.util.Arrays.copyOfRange(flat, i * width, (i + 1) * width);
          }
        }
      } finally {
        inputs.forEach(Tensor::close);
        targets.forEach(Tensor::close);
      }
    }
    List<OutputPredictions> predictions = new ArrayList<>();
    for (int o = 0; o < outputs.size(); o++) {
      float[][] v = values.get(o);
      predictions.add(switch (outputs.get(o)) {
        case CategoryOutputFeature c -> new OutputPredictions.Category(c.name(), metadata.category(c.name()).idx2str(),
            Calibration.categoryProbabilities(v, metadata.temperature().get(c.name())), c.loss() instanceof Loss.Corn);
        case BinaryOutputFeature b -> new OutputPredictions.Binary(b.name(), metadata.binary(b.name()).falseLabel(),
            metadata.binary(b.name()).trueLabel(), Calibration.binaryProbabilities(column(v),
                metadata.temperature().get(b.name())), b.threshold());
        case NumberOutputFeature num -> {
          NumberScale scale = NumberScale.of(num, metadata);
          float[] userUnits = column(v);
          for (int i = 0; i < userUnits.length; i++) userUnits[i] = (float) scale.toUser(userUnits[i]);
          yield new OutputPredictions.Number(num.name(), userUnits, scale);
        }
      });
    }
    return new Result(predictions, data.hasTargets() && n > 0 ? lossSum / n : Double.NaN);
  }

  private static float[] column(float[][] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) out[i] = v[i][0];
    return out;
  }
}
