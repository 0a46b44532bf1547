package dev.fidelio.example;

import dev.fidelio.api.EvaluationOptions;
import dev.fidelio.api.EvaluationResult;
import dev.fidelio.api.Fidelio;
import dev.fidelio.api.FidelioModel;
import dev.fidelio.api.ModelConfig;
import dev.fidelio.api.Predictions;
import dev.fidelio.api.Split;
import dev.fidelio.api.TrainOptions;
import dev.fidelio.api.TrainingData;
import dev.fidelio.api.TrainingListener;
import dev.fidelio.api.TrainingResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fidelio from a JVM program: trains the spam classifier (frozen all-MiniLM-L6-v2, its embeddings
 * cached, a small classifier on top) on a 300-row sample of the SpamAssassin emails held in memory,
 * evaluates it on the sample's test split, and predicts two new emails.
 * Usage: SpamApp SPAM_CSV WORK_FOLDER. Exits 1 when the model learned nothing.
 */
public final class SpamApp {
  private static final String CONFIG = """
      input_features:
        - name: text
          type: text
          encoder: {type: auto_transformer, pretrained_model_name_or_path: sentence-transformers/all-MiniLM-L6-v2,
                    trainable: false, reduce_output: mean}
          preprocessing: {max_sequence_length: 128, cache_encoder_embeddings: true}
      output_features:
        - {name: label, type: category}
      combiner: {type: concat, num_fc_layers: 1, output_size: 64}
      trainer: {epochs: 8, batch_size: 16, learning_rate: 0.003, validation_metric: loss}
      """;

  public static void main(String[] args) throws IOException {
    Path spam = Path.of(args[0]);
    Path work = Path.of(args[1]);
    // Every 10th email: 300 rows, ham and spam alike (the file is grouped by kind).
    List<Map<String, String>> all = SimpleCsv.read(spam);
    List<Map<String, String>> sample = new ArrayList<>();
    for (int r = 0; r < all.size(); r += 10) sample.add(all.get(r));
    TrainingData data = TrainingData.rows(sample);

    ModelConfig config = ModelConfig.fromYaml(CONFIG);
    TrainOptions options = TrainOptions.defaults().outputDirectory(work.resolve("results"))
        .cacheDirectory(work.resolve("cache")).randomSeed(42)
        .listener(new TrainingListener() {
          @Override
          public void onEvaluation(Evaluation e) {
            System.out.printf("epoch %d: training loss %.4f, validation accuracy %.3f%n", e.epoch(), e.trainingLoss(),
                e.validation().metric("label", "accuracy"));
          }
        });
    TrainingResult run = Fidelio.train(config, data, options);
    System.out.println("model saved in " + run.modelDirectory() + " (best epoch " + run.bestEpoch() + ")");

    EvaluationResult test = Fidelio.evaluate(run.modelDirectory(), data,
        EvaluationOptions.defaults().split(Split.TEST).outputDirectory(work.resolve("evaluation")));
    double accuracy = test.statistics().orElseThrow().metric("label", "accuracy");
    System.out.printf("test split: %d rows, accuracy %.3f%n", test.rows(), accuracy);

    try (FidelioModel model = FidelioModel.load(run.modelDirectory())) {
      Predictions p = model.predict(List.of(
          Map.of("text", "Congratulations! You have WON a free cruise. Click here now to claim your prize!!!"),
          Map.of("text", "Hi Tom, the build on the release branch failed again; can you look at the linker error?")));
      for (int r = 0; r < p.size(); r++) {
        System.out.printf("prediction %d: %s (probability %.2f)%n", r, p.row(r).get("label_predictions"),
            ((Number) p.row(r).get("label_probability")).doubleValue());
      }
    }
    if (accuracy < 0.75) {
      System.err.println("test accuracy " + accuracy + " < 0.75: the model did not learn");
      System.exit(1);
    }
  }
}
