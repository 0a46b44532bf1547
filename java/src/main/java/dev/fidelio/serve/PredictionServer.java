package dev.fidelio.serve;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fidelio.api.FidelioModel;
import dev.fidelio.api.InvalidInputException;
import dev.fidelio.config.ImageInputFeature;
import dev.fidelio.config.InputFeature;
import dev.fidelio.config.OutputFeature;
import dev.fidelio.util.Log;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Ludwig's REST API for a saved model ({@code ludwig serve}), on Javalin/Jetty:
 * <ul>
 *   <li>{@code GET /}: health, with the model's input and output features;</li>
 *   <li>{@code POST /predict}: one row as form fields (multipart or urlencoded; a file part for an
 *       image feature), or as a JSON object; answers {@code {"<out>_predictions": ...,
 *       "<out>_probabilities": [...], "<out>_probability": ..., "<out>_probabilities_<class>": ...}};</li>
 *   <li>{@code POST /batch_predict}: form field {@code dataset} in pandas' split orientation
 *       (files named in its cells may be attached as parts); answers in split orientation.</li>
 * </ul>
 * Requests from all clients are batched ({@link MicroBatcher}). A request reads only the bytes it
 * sent (no server path, unless under the image root), and its body is bounded as it arrives
 * ({@link RequestBodies}). Errors are JSON {@code {"error": "...", "feature": "..."}} without the
 * server's paths ({@link ServerPaths}): 400 for a bad row (the feature named) or a malformed body,
 * 408 for a body that stopped arriving, 413 for one over the limit, 503 when the queue is full or
 * the answer timed out, 500 (details in the log only) for a fault of the server.
 */
public final class PredictionServer implements AutoCloseable {
  /**
   * imageRoot: null (the default) means an image input must be an uploaded file; otherwise a text
   * value is also read as a path, but only of a file inside that folder.
   */
  public record Settings(String host, int port, MicroBatcher.Settings batching, long maxBodyBytes,
                         Duration idleTimeout, Path imageRoot) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final FidelioModel model;
  private final MicroBatcher batcher;
  private final Javalin app;
  private final List<String> columns;
  private final long maxBodyBytes;
  private final int maxRows;
  private final Path imageRoot;
  private final ServerPaths serverPaths;

  private PredictionServer(FidelioModel model, Settings settings) {
    this.model = model;
    this.maxBodyBytes = settings.maxBodyBytes();
    this.maxRows = settings.batching().queueLimitRows();
    this.imageRoot = realFolder(settings.imageRoot());
    this.serverPaths = new ServerPaths(imageRoot);
    this.batcher = new MicroBatcher(model, settings.batching());
    this.columns = model.predict(List.of()).columns();
    this.app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.useVirtualThreads = true;  // a waiting request costs no platform thread
      config.http.maxRequestSize = settings.maxBodyBytes();
      config.jetty.defaultHost = settings.host();
      config.jetty.defaultPort = settings.port();
      config.jetty.multipartConfig.maxTotalRequestSize(settings.maxBodyBytes(), SizeUnit.BYTES);
      config.jetty.multipartConfig.maxFileSize(settings.maxBodyBytes(), SizeUnit.BYTES);
      config.jetty.modifyServletContextHandler(handler ->
          handler.setMaxFormContentSize((int) Math.min(Integer.MAX_VALUE, settings.maxBodyBytes())));
      config.jetty.modifyServer(server -> server.addEventListener(new org.eclipse.jetty.util.component
          .LifeCycle.Listener() {
        @Override
        public void lifeCycleStarted(org.eclipse.jetty.util.component.LifeCycle event) {
          for (var connector : server.getConnectors()) {
            if (connector instanceof ServerConnector c) c.setIdleTimeout(settings.idleTimeout().toMillis());
            // Dispatch on the headers: a request whose Content-Length is over the limit is refused
            // at once, not when its first body bytes (which may never come) arrive.
            for (var factory : connector.getConnectionFactories()) {
              if (factory instanceof HttpConnectionFactory http) {
                http.getHttpConfiguration().setDelayDispatchUntilContent(false);
              }
            }
          }
        }
      }));
    });
    app.before(ctx -> {
      // The long form: Content-Length above 2^31 is -1 in the int one, which passed this check.
      long length = ctx.req().getContentLengthLong();
      if (length > settings.maxBodyBytes()) {
        throw new Rejected(413, null, "request body of " + length + " bytes exceeds the limit of "
            + settings.maxBodyBytes() + " bytes");
      }
    });
    app.get("/", this::health);
    app.post("/predict", this::predict);
    app.post("/batch_predict", this::batchPredict);
    app.exception(Rejected.class, (e, ctx) -> error(ctx, e.status, e.feature, e.getMessage()));
    app.exception(InvalidInputException.class, (e, ctx) -> error(ctx, 400, e.feature(), e.getMessage()));
    app.exception(MicroBatcher.Overloaded.class, (e, ctx) -> {
      ctx.header("Retry-After", "1");
      error(ctx, 503, null, e.getMessage());
    });
    app.exception(MicroBatcher.TooManyRows.class, (e, ctx) -> error(ctx, 413, null, e.getMessage()));
    app.exception(TimeoutException.class, (e, ctx) -> error(ctx, 503, null, e.getMessage()));
    app.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), null, e.getMessage()));
    app.exception(Exception.class, (e, ctx) -> {
      Rejected clientFault = RequestBodies.clientFault(e);
      if (clientFault != null) {
        error(ctx, clientFault.status, null, clientFault.getMessage());
        return;
      }
      // The details (paths, stack) are for the server's log, not for the client.
      Log.warn("request " + ctx.method() + " " + ctx.path() + " failed: " + e);
      error(ctx, 500, null, "internal error; the server's log has the details");
    });
  }

  /** Starts serving (port 0 picks a free port; see {@link #port}). The model stays the caller's. */
  public static PredictionServer start(FidelioModel model, Settings settings) {
    PredictionServer server = new PredictionServer(model, settings);
    try {
      server.app.start();
    } catch (RuntimeException e) {
      server.batcher.close();
      throw new IllegalStateException("cannot serve on " + settings.host() + ":" + settings.port() + ": "
          + RequestBodies.bindProblem(e, settings.host(), settings.port()), e);
    }
    return server;
  }

  public int port() {
    return app.port();
  }

  private void health(Context ctx) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("message", "Fidelio server is up");
    body.put("input_features", model.inputFeatures().stream().map(InputFeature::name).toList());
    body.put("output_features", model.outputFeatures().stream().map(OutputFeature::name).toList());
    json(ctx, 200, body);
  }

  private void predict(Context ctx) throws InterruptedException, TimeoutException {
    try (Uploads uploads = new Uploads()) {
      Map<String, Object> row = new LinkedHashMap<>();
      try {
        if (isJson(ctx)) {
          row.putAll(jsonRow(RequestBodies.read(ctx, maxBodyBytes)));
        } else {
          requireForm(ctx);
          RequestBodies.Form form = RequestBodies.form(ctx, maxBodyBytes);
          form.fields().forEach((k, v) -> row.put(k, v.isEmpty() ? null : v.getFirst()));
          for (var entry : form.files().entrySet()) row.put(entry.getKey(), uploads.save(entry.getValue().getFirst()));
        }
        readOnlyWhatWasSent(row);
        json(ctx, 200, batcher.predict(List.of(row)).getFirst());
      } catch (InvalidInputException e) {
        throw new Rejected(400, e.feature(), uploads.hide(e.getMessage()));
      }
    }
  }

  private void batchPredict(Context ctx) throws InterruptedException, TimeoutException {
    requireForm(ctx);
    RequestBodies.Form form = RequestBodies.form(ctx, maxBodyBytes);
    List<String> dataset = form.fields().get("dataset");
    if (dataset == null || dataset.isEmpty()) {
      throw new Rejected(400, null, "form field 'dataset' is missing: send the rows in pandas' split orientation,"
          + " {\"columns\": [...], \"data\": [[...]]}");
    }
    try (Uploads uploads = new Uploads()) {
      try {
        SplitJson.Frame frame = SplitJson.parse(dataset.getFirst(), maxRows);
        // As in Ludwig: an image cell naming an attached file's name reads that file.
        Map<String, Path> files = new LinkedHashMap<>();
        for (List<UploadedFile> parts : form.files().values()) {
          for (UploadedFile part : parts) files.put(part.filename(), uploads.save(part));
        }
        for (InputFeature input : model.inputFeatures()) {
          if (!(input instanceof ImageInputFeature)) continue;
          for (Map<String, Object> row : frame.rows()) {
            Object cell = row.get(input.name());
            if (cell instanceof String name && files.containsKey(name)) row.put(input.name(), files.get(name));
          }
        }
        for (Map<String, Object> row : frame.rows()) readOnlyWhatWasSent(row);
        json(ctx, 200, SplitJson.write(frame.index(), columns, batcher.predict(frame.rows())));
      } catch (InvalidInputException e) {
        throw new Rejected(400, e.feature(), uploads.hide(e.getMessage()));
      }
    }
  }

  /**
   * A request reads only the bytes it sent: an image input's value must be an uploaded file. A text
   * value is a path on the server, and is read only when the server was started with an image root
   * and the file (symbolic links followed) lies inside it; otherwise the request is refused
   * without looking at the disk, so an answer never tells whether a server path exists.
   */
  private void readOnlyWhatWasSent(Map<String, Object> row) {
    for (InputFeature input : model.inputFeatures()) {
      if (!(input instanceof ImageInputFeature)) continue;
      String key = row.containsKey(input.name()) ? input.name() : input.column();
      if (!(row.get(key) instanceof String text)) continue;  // an upload (Path), missing, or a type validation names
      if (imageRoot == null) {
        throw new Rejected(400, input.name(), "input feature '" + input.name() + "' must be an uploaded file"
            + " (a multipart file part; in /batch_predict a cell naming an attached file); this server reads no"
            + " paths (start it with --image_root DIR to allow paths of files inside DIR)");
      }
      row.put(key, insideImageRoot(input, text));
    }
  }

  private Path insideImageRoot(InputFeature input, String text) {
    Rejected outside = new Rejected(400, input.name(), "input feature '" + input.name() + "': '" + text
        + "' is not a readable file inside the server's image root (paths are relative to it)");
    Path file;
    try {
      file = imageRoot.resolve(text).normalize();
      if (!file.startsWith(imageRoot)) throw outside;
      file = file.toRealPath();  // a symbolic link inside may point outside
    } catch (java.nio.file.InvalidPathException | IOException e) {
      throw outside;
    }
    if (!file.startsWith(imageRoot) || !Files.isRegularFile(file)) throw outside;
    return file;
  }

  private static Path realFolder(Path folder) {
    if (folder == null) return null;
    try {
      Path real = folder.toRealPath();
      if (!Files.isDirectory(real)) throw new IllegalArgumentException("--image_root " + folder + " is not a folder");
      return real;
    } catch (IOException e) {
      throw new IllegalArgumentException("--image_root " + folder + " does not exist: " + e.getMessage(), e);
    }
  }

  private static boolean isJson(Context ctx) {
    String type = ctx.contentType();
    return type != null && type.toLowerCase().startsWith("application/json");
  }

  private static void requireForm(Context ctx) {
    String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase();
    if (!type.startsWith("multipart/form-data") && !type.startsWith("application/x-www-form-urlencoded")) {
      throw new Rejected(400, null, "send form fields (multipart/form-data or application/x-www-form-urlencoded), "
          + "one per input feature; got content type '" + ctx.contentType() + "'");
    }
  }

  /**
   * A /predict JSON body: one object of input values, read as a stream. A value that is a list or
   * an object (no input feature takes one) is skipped unread and stands as an empty one, which the
   * row check names: a body of millions of tiny nested lists costs no memory.
   */
  private static Map<String, Object> jsonRow(byte[] body) {
    Map<String, Object> row = new LinkedHashMap<>();
    try (JsonParser p = JSON.getFactory().createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        p.skipChildren();  // a syntax error in it is the first thing to say
        throw new Rejected(400, null, "a JSON body must be one object {\"<input feature>\": value, ...}");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        row.put(key, SplitJson.cell(p, p.nextToken()));
      }
      if (p.nextToken() != null) throw new Rejected(400, null, "the body is not valid JSON: more after the object");
    } catch (IOException e) {
      throw new Rejected(400, null, "the body is not valid JSON: "
          + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }
    return row;
  }

  private void error(Context ctx, int status, String feature, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", serverPaths.hide(message));
    if (feature != null) body.put("feature", feature);
    if (status == 413 || status == 408) {
      sentAtOnce(ctx, status, body);
    } else {
      json(ctx, status, body);
    }
  }

  /**
   * The answer to a body that is too large or stalled, written straight to the connection, which
   * then closes, so nothing more of the body is read. Answered through the servlet response, even
   * with "Connection: close", Jetty went on reading what the client kept sending (up to 34 MB of a
   * chunked 100 MB body against a 64 KiB limit) before closing.
   */
  private static void sentAtOnce(Context ctx, int status, Object body) {
    try {
      byte[] json = JSON.writeValueAsBytes(body);
      byte[] head = ("HTTP/1.1 " + status + (status == 413 ? " Payload Too Large" : " Request Timeout")
          + "\r\nContent-Type: application/json\r\nContent-Length: " + json.length + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);
      EndPoint connection = Request.getBaseRequest(ctx.req()).getHttpChannel().getEndPoint();
      connection.flush(ByteBuffer.wrap(head), ByteBuffer.wrap(json));  // a few hundred bytes: the socket takes them
      connection.close();
    } catch (IOException | RuntimeException e) {
      // the client is gone: nothing to answer
    }
  }

  private static void json(Context ctx, int status, Object body) {
    try {
      ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops accepting requests, then the batcher; the model stays open (it is the caller's). */
  @Override
  public void close() {
    app.stop();
    batcher.close();
  }

  /** A request the server refuses, with its status. */
  static final class Rejected extends RuntimeException {
    final int status;
    final String feature;

    Rejected(int status, String feature, String message) {
      super(message);
      this.status = status;
      this.feature = feature;
    }
  }

  /**
   * Uploaded parts written to a temporary folder (preprocessing reads files by path), removed after
   * the answer; {@link #hide} names each by the client's file name in error texts.
   */
  private final class Uploads implements AutoCloseable {
    private Path folder;
    private final Map<Path, String> clientNames = new LinkedHashMap<>();

    Path save(UploadedFile part) {
      try {
        if (folder == null) folder = Files.createTempDirectory("fidelio-upload");
        String clientName = part.filename() == null ? "upload" : part.filename();
        // Only the name's safe characters: the client's file name never chooses a path.
        Path file = Files.createTempFile(folder, "part", "-" + clientName.replaceAll("[^A-Za-z0-9._-]", "_"));
        try (InputStream in = part.content()) {
          Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        clientNames.put(file, clientName);
        return file;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot store the uploaded file '" + part.filename() + "': " + e.getMessage(), e);
      }
    }

    String hide(String message) {
      return serverPaths.with(clientNames).hide(message);
    }

    @Override
    public void close() {
      if (folder == null) return;
      try (Stream<Path> files = Files.walk(folder)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        Log.warn("cannot remove " + folder + ": " + e.getMessage());
      }
    }
  }
}
