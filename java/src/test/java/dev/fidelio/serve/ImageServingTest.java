package dev.fidelio.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fidelio.api.FidelioModel;
import dev.fidelio.experiment.Experiment;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `fidelio serve` with an image model (a small ResNet-18 trained from scratch on bright and dark
 * squares): an uploaded image file is predicted as the Java API predicts its path, and a file that
 * is not an image, or no file at all, gets a 400 naming the feature while the server stays up.
 */
class ImageServingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir
  static Path dir;
  private static FidelioModel model;
  private static PredictionServer server;

  @BeforeAll
  static void trainAndServe() throws Exception {
    Random random = new Random(5);
    List<String> lines = new ArrayList<>(List.of("image,label"));
    Files.createDirectories(dir.resolve("img"));
    for (int i = 0; i < 48; i++) {
      boolean bright = i % 2 == 0;
      Files.write(dir.resolve("img/" + i + ".png"), png(bright ? 200 : 40, random));
      lines.add("img/" + i + ".png," + (bright ? "bright" : "dark"));
    }
    Path data = dir.resolve("squares.csv");
    Files.write(data, lines);
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, """
        input_features:
          - name: image
            type: image
            encoder: {type: resnet, model_variant: 18, use_pretrained: false, trainable: true}
            preprocessing: {height: 16, width: 16, num_channels: 1}
        output_features:
          - {name: label, type: category}
        trainer: {epochs: 3, batch_size: 8, learning_rate: 0.003, early_stop: -1}
        """);
    Path results = Experiment.run(config, data, new Experiment.Settings(dir.resolve("results"), "img", "run", 3), false);
    model = FidelioModel.load(results.resolve("model"));
    server = PredictionServer.start(model, new PredictionServer.Settings("127.0.0.1", 0,
        new MicroBatcher.Settings(8, java.time.Duration.ofMillis(2), 64, java.time.Duration.ofSeconds(30)),
        1 << 20, java.time.Duration.ofSeconds(30), null));
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (model != null) model.close();
  }

  /** A 12x12 gray square of the given brightness with a little noise, as PNG bytes. */
  private static byte[] png(int level, Random random) throws Exception {
    BufferedImage image = new BufferedImage(12, 12, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 12; y++) {
      for (int x = 0; x < 12; x++) image.getRaster().setSample(x, y, 0, level + random.nextInt(30));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  @Test
  void anUploadedImageIsPredictedAsTheJavaApiPredictsItsFile() throws Exception {
    for (String name : List.of("0.png", "1.png")) {
      Path file = dir.resolve("img/" + name);
      Map<String, Object> expected = model.predict(List.of(Map.of("image", file.toString()))).row(0);
      HttpResponse<String> r = upload("/predict", Map.of("image", file.getFileName().toString()),
          Files.readAllBytes(file));
      assertEquals(200, r.statusCode(), r.body());
      JsonNode body = JSON.readTree(r.body());
      assertEquals(expected.get("label_predictions"), body.path("label_predictions").asText());
      assertEquals((Float) expected.get("label_probability"), body.path("label_probability").floatValue(), 1e-6f);
    }
  }

  @Test
  void aBrokenImageOrNoImageGets400NamingTheFeatureAndTheServerStaysUp() throws Exception {
    HttpResponse<String> broken = upload("/predict", Map.of("image", "broken.png"),
        "this is not a PNG".getBytes(StandardCharsets.UTF_8));
    assertEquals(400, broken.statusCode(), broken.body());
    JsonNode body = JSON.readTree(broken.body());
    assertEquals("image", body.path("feature").asText(), body.toString());
    assertTrue(body.path("error").asText().contains("cannot be read"), body.toString());

    byte[] truncated = java.util.Arrays.copyOf(Files.readAllBytes(dir.resolve("img/2.png")), 40);
    HttpResponse<String> cut = upload("/predict", Map.of("image", "cut.png"), truncated);
    assertEquals(400, cut.statusCode(), cut.body());
    assertEquals("image", JSON.readTree(cut.body()).path("feature").asText(), cut.body());

    HttpResponse<String> none = HTTP.send(HttpRequest.newBuilder(uri("/predict"))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("x=1"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(400, none.statusCode(), none.body());
    assertEquals("image", JSON.readTree(none.body()).path("feature").asText(), none.body());

    Path good = dir.resolve("img/4.png");
    assertEquals(200, upload("/predict", Map.of("image", "4.png"), Files.readAllBytes(good)).statusCode());
  }

  @Test
  void theServerNeverReadsAPathItWasSentAsText() throws Exception {
    String existing = dir.resolve("img/0.png").toString();
    String missing = dir.resolve("img/no-such.png").toString();
    List<String> answers = new ArrayList<>();
    for (String path : List.of(existing, missing, "/etc/passwd", "img/0.png")) {
      HttpResponse<String> json = post("/predict", "application/json", JSON.writeValueAsString(Map.of("image", path)));
      HttpResponse<String> form = post("/predict", "application/x-www-form-urlencoded",
          "image=" + java.net.URLEncoder.encode(path, StandardCharsets.UTF_8));
      String dataset = JSON.writeValueAsString(Map.of("columns", List.of("image"), "data", List.of(List.of(path))));
      HttpResponse<String> batch = post("/batch_predict", "application/x-www-form-urlencoded",
          "dataset=" + java.net.URLEncoder.encode(dataset, StandardCharsets.UTF_8));
      for (HttpResponse<String> r : List.of(json, form, batch)) {
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("must be an uploaded file"), r.body());
        assertTrue(!r.body().contains(dir.toString()) && !r.body().contains("/tmp"), r.body());
        answers.add(r.body());
      }
    }
    // The same words whether the file exists or not: an answer reveals nothing about the server's disk.
    for (int i = 3; i < answers.size(); i++) assertEquals(answers.get(i % 3), answers.get(i));
  }

  @Test
  void withAnImageRootOnlyFilesInsideItAreRead() throws Exception {
    Path outside = Files.write(dir.resolve("outside.png"), Files.readAllBytes(dir.resolve("img/2.png")));
    Files.createSymbolicLink(dir.resolve("img/link.png"), outside);
    try (PredictionServer rooted = PredictionServer.start(model, new PredictionServer.Settings("127.0.0.1", 0,
        new MicroBatcher.Settings(8, java.time.Duration.ofMillis(2), 64, java.time.Duration.ofSeconds(30)),
        1 << 20, java.time.Duration.ofSeconds(30), dir.resolve("img")))) {
      Map<String, Object> expected = model.predict(List.of(Map.of("image", dir.resolve("img/0.png").toString()))).row(0);
      HttpResponse<String> inside = post(rooted, "/predict", "application/json", "{\"image\": \"0.png\"}");
      assertEquals(200, inside.statusCode(), inside.body());
      assertEquals(expected.get("label_predictions"), JSON.readTree(inside.body()).path("label_predictions").asText());
      for (String escape : List.of("../outside.png", outside.toString(), "link.png", "/etc/passwd", "nope.png")) {
        HttpResponse<String> r = post(rooted, "/predict", "application/json", JSON.writeValueAsString(Map.of("image", escape)));
        assertEquals(400, r.statusCode(), escape + ": " + r.body());
        assertTrue(r.body().contains("is not a readable file inside the server's image root"), r.body());
        assertTrue(!r.body().replace(JSON.writeValueAsString(escape), "").contains(dir.toString()), r.body());
      }
    }
  }

  @Test
  void errorsNameTheUploadByItsFileNameNotByTheServersPath() throws Exception {
    HttpResponse<String> broken = upload("/predict", Map.of("image", "holiday.png"), "not a PNG".getBytes(StandardCharsets.UTF_8));
    assertEquals(400, broken.statusCode(), broken.body());
    assertTrue(broken.body().contains("upload 'holiday.png'"), broken.body());
    assertTrue(!broken.body().contains("fidelio-upload") && !broken.body().contains(System.getProperty("java.io.tmpdir")),
        broken.body());
  }

  @Test
  void aDecompressionBombIsRefusedFromItsHeader() throws Exception {
    long started = System.nanoTime();
    HttpResponse<String> r = upload("/predict", Map.of("image", "bomb.png"), BombImages.png(20000, 20000));
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(r.body().contains("20000x20000 pixels is more than the limit"), r.body());
    assertTrue(System.nanoTime() - started < 5_000_000_000L, "took " + (System.nanoTime() - started) / 1e9 + " s");
  }

  private static HttpResponse<String> post(String path, String type, String body) throws Exception {
    return post(server, path, type, body);
  }

  private static HttpResponse<String> post(PredictionServer s, String path, String type, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).header("Content-Type", type)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** One multipart file part per entry of names (field -> file name), all carrying bytes. */
  private static HttpResponse<String> upload(String path, Map<String, String> names, byte[] bytes) throws Exception {
    String boundary = "fidelio-image-boundary";
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (var part : names.entrySet()) {
      body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + part.getKey() + "\"; filename=\""
          + part.getValue() + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
      body.write(bytes);
      body.write("\r\n".getBytes(StandardCharsets.UTF_8));
    }
    body.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return HTTP.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
