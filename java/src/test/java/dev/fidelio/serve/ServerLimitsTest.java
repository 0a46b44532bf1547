package dev.fidelio.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.api.FidelioModel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server's limits hold against what a hostile client sends: bodies are counted as they arrive
 * (chunked ones too), and every way a body can be bad is a 4xx, never a 500.
 */
class ServerLimitsTest {
  private static final long MAX_BODY = 64 * 1024;
  private static final long HUNDRED_MB = 100L << 20;
  private static FidelioModel model;
  private static PredictionServer server;

  @BeforeAll
  static void start() {
    model = FidelioModel.load(TinyModel.model());
    // A short idle timeout, so that the stalled-body case ends in seconds.
    server = PredictionServer.start(model, new PredictionServer.Settings("127.0.0.1", 0,
        new MicroBatcher.Settings(16, Duration.ofMillis(2), 64, Duration.ofSeconds(30)), MAX_BODY,
        Duration.ofSeconds(2), null));
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (model != null) model.close();
  }

  @Test
  void chunkedBodiesAreCutOffAt413WithoutBeingReadWhole() throws Exception {
    byte[] json = "{\"text\": \"".getBytes(StandardCharsets.UTF_8);
    byte[] form = "text=".getBytes(StandardCharsets.UTF_8);
    byte[] multipart = ("--b\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n").getBytes(StandardCharsets.UTF_8);
    for (String[] c : new String[][] {{"/predict", "application/json"}, {"/predict", "application/x-www-form-urlencoded"},
        {"/predict", "multipart/form-data; boundary=b"}, {"/batch_predict", "application/x-www-form-urlencoded"}}) {
      byte[] prefix = c[1].startsWith("application/json") ? json : c[1].startsWith("multipart") ? multipart : form;
      long rssBefore = rssBytes();
      RawHttp.Answer a = RawHttp.chunked(server.port(), c[0], c[1], prefix, HUNDRED_MB);
      assertEquals(413, a.status(), c[1] + ": " + a.text());
      assertTrue(a.text().contains("exceeds") || a.text().contains("too large"), a.text());
      // The client could push only what socket buffers hold before the server answered and stopped reading.
      assertTrue(a.bytesSent() < HUNDRED_MB / 4, c[1] + ": the server took " + a.bytesSent() + " bytes");
      long grown = rssBytes() - rssBefore;
      assertTrue(grown < 64L << 20, c[1] + ": resident memory grew by " + grown + " bytes");
    }
  }

  @Test
  void aContentLengthAbove2GiBGets413AtOnce() throws Exception {
    long started = System.nanoTime();
    RawHttp.Answer a = RawHttp.send(server.port(), "POST /predict HTTP/1.1\r\nHost: localhost\r\n"
        + "Content-Type: application/json\r\nContent-Length: 3000000000", new byte[0], 10_000);
    assertEquals(413, a.status(), a.text());
    // Well before the 2 s idle timeout: the headers alone decide (measured 18-33 ms).
    assertTrue(System.nanoTime() - started < 1_500_000_000L, "answered only after " + (System.nanoTime() - started) / 1e9 + " s");
  }

  @Test
  void malformedMultipartGets400AndTooManyPartsGets413() throws Exception {
    assertEquals(400, PredictionServerTest.post(server, "/predict", "multipart/form-data; boundary=xyz",
        "this is not multipart at all").statusCode());
    assertEquals(400, PredictionServerTest.post(server, "/predict", "multipart/form-data",
        "--xyz\r\n\r\n--xyz--\r\n").statusCode());
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 1500; i++) many.append("--b\r\nContent-Disposition: form-data; name=\"f").append(i).append("\"\r\n\r\nx\r\n");
    many.append("--b--\r\n");
    var r = PredictionServerTest.post(server, "/predict", "multipart/form-data; boundary=b", many.toString());
    assertEquals(413, r.statusCode(), r.body());
    StringBuilder keys = new StringBuilder();
    for (int i = 0; i < 1500; i++) keys.append(i == 0 ? "" : "&").append("k").append(i).append("=1");
    r = PredictionServerTest.post(server, "/predict", "application/x-www-form-urlencoded", keys.toString());
    assertEquals(413, r.statusCode(), r.body());
  }

  @Test
  void aStalledBodyGets408() throws Exception {
    for (String type : new String[] {"application/json", "application/x-www-form-urlencoded"}) {
      RawHttp.Answer a = RawHttp.send(server.port(), "POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
          + type + "\r\nContent-Length: 100", "{\"text\": ".getBytes(StandardCharsets.UTF_8), 15_000);
      assertEquals(408, a.status(), type + ": " + a.text());
    }
  }

  @Test
  void trailingJunkAfterTheJsonBodyIs400() throws Exception {
    var r = PredictionServerTest.post(server, "/predict", "application/json", "{\"text\": \"hi\"} {\"text\": 1}");
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(r.body().contains("not valid JSON"), r.body());
  }

  @Test
  void aRequestOfMoreRowsThanMayWaitGets413() throws Exception {
    StringBuilder data = new StringBuilder();
    for (int i = 0; i < 65; i++) data.append(i == 0 ? "" : ",").append("[\"row ").append(i).append("\"]");
    String dataset = "{\"columns\": [\"text\"], \"data\": [" + data + "]}";
    var r = PredictionServerTest.post(server, "/batch_predict", "application/x-www-form-urlencoded",
        PredictionServerTest.urlencoded(java.util.Map.of("dataset", dataset)));
    assertEquals(413, r.statusCode(), r.body());
    assertTrue(r.body().contains("more than the 64 rows"), r.body());
  }

  @Test
  void nestedJsonIsAnsweredWithoutReadingItIntoATree() throws Exception {
    // 9 MB bodies of tiny nested lists: read as a tree, 3 million of them kept 162 MB (SplitJsonTest
    // measures what the stream costs).
    try (PredictionServer roomy = PredictionServer.start(model, new PredictionServer.Settings("127.0.0.1", 0,
        new MicroBatcher.Settings(16, Duration.ofMillis(2), 64, Duration.ofSeconds(30)), 10L << 20,
        Duration.ofSeconds(30), null))) {
      String lists = "[],".repeat(3_000_000) + "[]";
      String urlencodedLists = "[],".repeat(1_000_000) + "[]";  // 9 bytes each once urlencoded
      var predict = PredictionServerTest.post(roomy, "/predict", "application/json", "{\"text\": [" + lists + "]}");
      assertEquals(400, predict.statusCode(), predict.body());
      assertTrue(predict.body().contains("input feature 'text' must be a string, got a list"), predict.body());
      var batch = PredictionServerTest.post(roomy, "/batch_predict", "application/x-www-form-urlencoded",
          "dataset=" + java.net.URLEncoder.encode("{\"columns\": [\"text\"], \"data\": [[" + urlencodedLists + "]]}",
              StandardCharsets.UTF_8));
      assertEquals(400, batch.statusCode(), batch.body());
      var rows = PredictionServerTest.post(roomy, "/batch_predict", "application/x-www-form-urlencoded",
          "dataset=" + java.net.URLEncoder.encode("{\"columns\": [], \"data\": [" + urlencodedLists + "]}",
              StandardCharsets.UTF_8));
      assertEquals(413, rows.statusCode(), rows.body());
    }
  }

  @Test
  void anAddressThisMachineDoesNotHaveIsNamed() {
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> PredictionServer.start(model,
        new PredictionServer.Settings("192.0.2.1", 0, new MicroBatcher.Settings(1, Duration.ZERO, 1, Duration.ofSeconds(1)),
            MAX_BODY, Duration.ofSeconds(1), null)));
    assertTrue(e.getMessage().contains("192.0.2.1 is not an address of this machine"), e.getMessage());
  }

  /** This process's resident memory (Linux), after a collection so that garbage does not count. */
  private static long rssBytes() throws Exception {
    System.gc();
    for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
