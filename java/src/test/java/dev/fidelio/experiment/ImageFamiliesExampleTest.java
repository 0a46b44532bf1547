package dev.fidelio.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image example's digits (examples/images) through torchvision families other than resnet
 * (ImageExampleTest covers resnet): a squeezenet 1_1 trained from scratch (measured 0.84 test
 * accuracy), and a frozen alexnet with random weights whose features are cached during
 * preprocessing (measured 0.96), each reloaded and evaluated from the raw PNG files through its real
 * encoder. A frozen random squeezenet is no use here (0.57 measured): its final_conv starts at
 * normal(0, 0.01) behind a ReLU, so its random features are nearly constant. Sizes: 32 px for
 * squeezenet (its three poolings leave 1x1), 64 px for alexnet (its smallest input is 63 px); gray
 * digits converted to the 3 channels these families take.
 */
class ImageFamiliesExampleTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EXAMPLE = Path.of(System.getProperty("fidelio.root", "..")).resolve("examples/images");

  private static String config(String encoder, int size, boolean cached, String combiner, String trainer) {
    return """
        input_features:
          - name: image_path
            type: image
            encoder: {%s, use_pretrained: false, trainable: %s}
            preprocessing: {height: %d, width: %d, num_channels: 3, resize_method: interpolate, \
        cache_encoder_embeddings: %s}
        output_features:
          - {name: label, type: category}
        %s
        trainer: {%s, optimizer: {type: adamw}}
        """.formatted(encoder, !cached, size, size, cached, combiner, trainer);
  }

  private static double run(Path dir, String name, String yaml) throws Exception {
    Path config = Files.writeString(dir.resolve(name + ".yaml"), yaml);
    Path results = Experiment.run(config, EXAMPLE.resolve("digits.csv"),
        new Experiment.Settings(dir, "digits", name, 42, dir.resolve("store")), true);
    double accuracy = JSON.readTree(results.resolve("test_statistics.json").toFile()).path("label").path("accuracy")
        .asDouble();
    System.out.println("digits, " + name + ": test accuracy " + accuracy);
    Path evaluation = dir.resolve(name + "-evaluation");
    Evaluation.run(results.resolve("model"), EXAMPLE.resolve("digits.csv"), Evaluation.Split.TEST, evaluation, true, 64);
    JsonNode stats = JSON.readTree(evaluation.resolve("test_statistics.json").toFile()).path("label");
    assertEquals(accuracy, stats.path("accuracy").asDouble(), 1e-9, name + ": the reloaded model from raw images");
    return accuracy;
  }

  @Test
  void trainableSqueezeNetFromScratchLearnsDigits(@TempDir Path dir) throws Exception {
    double accuracy = run(dir, "squeezenet-trainable", config("type: squeezenet, model_variant: '1_1'", 32, false, "",
        "epochs: 8, batch_size: 32, learning_rate: 0.001"));
    assertTrue(accuracy >= 0.75, "test accuracy " + accuracy);
  }

  @Test
  void frozenCachedAlexNetLearnsDigits(@TempDir Path dir) throws Exception {
    double accuracy = run(dir, "alexnet-frozen", config("type: alexnet", 64, true,
        "combiner: {type: concat, num_fc_layers: 1, output_size: 256, norm: batch}",
        "epochs: 30, early_stop: -1, batch_size: 32, learning_rate: 0.001"));
    assertTrue(accuracy >= 0.9, "test accuracy " + accuracy);
  }
}
