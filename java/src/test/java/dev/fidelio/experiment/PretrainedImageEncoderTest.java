package dev.fidelio.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * use_pretrained end to end: torchvision writes squeezenet1_1's checkpoint under its own file name
 * (squeezenet1_1-b8a52dc0.pth; random weights, as nothing is downloaded) into model_cache_dir; the
 * experiment finds it by type and model_variant, brings the 8x8 gray digits to the weights' own
 * transforms (3 channels, shorter side 256 bilinear, centre crop 224, ImageNet mean/std: the config
 * gives no size), caches the frozen encoder's features, and the reloaded model gives the same test
 * metrics from the raw PNG files. squeezenet 1_1 is the smallest torchvision model (1.2M parameters);
 * the first 150 digits only, as 224x224 images cost ~0.35 GFLOP each.
 */
class PretrainedImageEncoderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EXAMPLE = Path.of(System.getProperty("fidelio.root", "..")).resolve("examples/images");

  @Test
  void torchvisionCheckpointAndTransformsAreUsed(@TempDir Path dir) throws Exception {
    Path cache = Files.createDirectories(dir.resolve("checkpoints"));
    Process python = new ProcessBuilder("/usr/bin/python3",
        Path.of("src/test/python/torchvision_image_reference.py").toAbsolutePath().toString(),
        Path.of("src/main/resources/dev/fidelio/weights/torchvision-weights.tsv").toAbsolutePath().toString(),
        cache.toString(), "squeezenet:1_1:64").redirectErrorStream(true).start();
    String log = new String(python.getInputStream().readAllBytes());
    assertTrue(python.waitFor(5, TimeUnit.MINUTES) && python.exitValue() == 0, "torchvision failed:\n" + log);
    assertTrue(Files.isRegularFile(cache.resolve("squeezenet1_1-b8a52dc0.pth")));

    List<String> rows = Files.readAllLines(EXAMPLE.resolve("digits.csv"));
    List<String> subset = new ArrayList<>(List.of(rows.get(0)));
    for (String row : rows.subList(1, 151)) subset.add(EXAMPLE.toAbsolutePath().resolve(row.split(",")[0]) + ","
        + row.split(",")[1]);
    Path dataset = Files.write(dir.resolve("digits150.csv"), subset);
    Path config = Files.writeString(dir.resolve("config.yaml"), """
        input_features:
          - name: image_path
            type: image
            encoder: {type: squeezenet, model_variant: '1_1', use_pretrained: true, trainable: false, \
        model_cache_dir: %s}
            preprocessing: {cache_encoder_embeddings: true}
        output_features:
          - {name: label, type: category}
        trainer: {epochs: 2, batch_size: 64, learning_rate: 0.001}
        """.formatted(cache));
    Path results = Experiment.run(config, dataset,
        new Experiment.Settings(dir, "digits", "pretrained", 42, dir.resolve("store")), true);
    JsonNode metadata = JSON.readTree(results.resolve("model/training_set_metadata.json").toFile());
    String image = metadata.toString();
    assertTrue(image.contains("224") && image.contains("256") && image.contains("bilinear"),
        "the weights' transforms are the preprocessing: " + image);
    double accuracy = JSON.readTree(results.resolve("test_statistics.json").toFile()).path("label").path("accuracy")
        .asDouble();
    System.out.println("digits, squeezenet 1_1 from its torchvision checkpoint (random weights): test accuracy "
        + accuracy);
    Path evaluation = dir.resolve("evaluation");
    Evaluation.run(results.resolve("model"), dataset, Evaluation.Split.TEST, evaluation, true, 64);
    assertEquals(accuracy, JSON.readTree(evaluation.resolve("test_statistics.json").toFile()).path("label")
        .path("accuracy").asDouble(), 1e-9, "the reloaded model from raw images");
  }
}
