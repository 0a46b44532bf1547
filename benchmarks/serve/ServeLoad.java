// A load generator for `fidelio serve`: N POST /predict requests (urlencoded form, one text
// feature) from C concurrent clients on this machine; prints latency percentiles and throughput.
// Run with the JDK's source launcher: java ServeLoad.java URL REQUESTS CLIENTS TEXTS_FILE
// TEXTS_FILE holds one text per line, as JSON strings. Requests loop over the texts.
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

public class ServeLoad {
  public static void main(String[] args) throws Exception {
    URI predict = URI.create(args[0] + "/predict");
    int requests = Integer.parseInt(args[1]);
    int clients = Integer.parseInt(args[2]);
    List<String> bodies = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(args[3]))) {
      bodies.add("text=" + URLEncoder.encode(unquote(line), StandardCharsets.UTF_8));
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    run(http, predict, bodies, Math.min(requests, 2 * clients), clients);  // warm-up, not counted
    long start = System.nanoTime();
    Result r = run(http, predict, bodies, requests, clients);
    double seconds = (System.nanoTime() - start) / 1e9;
    long[] ms = r.latenciesMicros.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf("requests=%d clients=%d ok=%d errors=%d seconds=%.2f throughput=%.1f p50_ms=%.1f p90_ms=%.1f"
            + " p99_ms=%.1f max_ms=%.1f%n", requests, clients, ms.length, r.errors.get(), seconds, ms.length / seconds,
        pct(ms, 50), pct(ms, 90), pct(ms, 99), ms.length == 0 ? 0 : ms[ms.length - 1] / 1000.0);
    for (String e : r.errorSamples.stream().limit(5).toList()) System.out.println("error: " + e);
    if (r.errors.get() > 0) System.exit(1);
  }

  record Result(ConcurrentLinkedQueue<Long> latenciesMicros, AtomicInteger errors,
                ConcurrentLinkedQueue<String> errorSamples) {}

  static Result run(HttpClient http, URI uri, List<String> bodies, int requests, int clients) throws Exception {
    Result r = new Result(new ConcurrentLinkedQueue<>(), new AtomicInteger(), new ConcurrentLinkedQueue<>());
    AtomicInteger next = new AtomicInteger();
    try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
      for (int c = 0; c < clients; c++) {
        pool.submit(() -> {
          for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i % bodies.size()))).build();
            long t0 = System.nanoTime();
            try {
              HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
              if (response.statusCode() == 200 && response.body().contains("_predictions")) {
                r.latenciesMicros.add((System.nanoTime() - t0) / 1000);
              } else {
                r.errors.incrementAndGet();
                r.errorSamples.add(response.statusCode() + " " + response.body());
              }
            } catch (Exception e) {
              r.errors.incrementAndGet();
              r.errorSamples.add(e.toString());
            }
          }
          return null;
        });
      }
    }
    return r;
  }

  static double pct(long[] sorted, int p) {
    if (sorted.length == 0) return 0;
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1000.0;
  }

  /** A JSON string literal's text (the escapes json.dumps writes). */
  static String unquote(String json) {
    StringBuilder out = new StringBuilder();
    for (int i = 1; i < json.length() - 1; i++) {
      char c = json.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = json.charAt(++i);
      switch (e) {
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'u' -> {
          out.append((char) Integer.parseInt(json.substring(i + 1, i + 5), 16));
          i += 4;
        }
        default -> out.append(e);
      }
    }
    return out.toString();
  }
}
