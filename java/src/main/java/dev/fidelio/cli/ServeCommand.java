package dev.fidelio.cli;

import dev.fidelio.api.FidelioModel;
import dev.fidelio.features.ImageLimits;
import dev.fidelio.serve.MicroBatcher;
import dev.fidelio.serve.PredictionServer;
import dev.fidelio.util.Log;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `fidelio serve`: Ludwig's REST API for a saved model, until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve a trained model over HTTP: GET /, POST /predict, POST /batch_predict (Ludwig's API).")
class ServeCommand implements Callable<Integer> {
  @Option(names = {"-m", "--model_path"}, required = true, description = "the model folder of a training run")
  Path modelPath;

  @Option(names = {"-H", "--host"}, defaultValue = "127.0.0.1",
      description = "address to listen on (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 for all)")
  String host;

  @Option(names = {"-p", "--port"}, defaultValue = "8000", description = "default: ${DEFAULT-VALUE}")
  int port;

  @Option(names = "--max_batch_size", defaultValue = "64",
      description = "most rows predicted together across requests (default: ${DEFAULT-VALUE})")
  int maxBatchSize;

  @Option(names = "--max_batch_delay_ms", defaultValue = "2",
      description = "how long a request may wait for others to share its batch (default: ${DEFAULT-VALUE})")
  long maxBatchDelayMs;

  @Option(names = "--max_queue_rows", defaultValue = "2048",
      description = "rows that may wait; beyond, requests get 503 (default: ${DEFAULT-VALUE})")
  int maxQueueRows;

  @Option(names = "--max_body_bytes", defaultValue = "10485760",
      description = "largest request body; larger gets 413 (default: ${DEFAULT-VALUE})")
  long maxBodyBytes;

  @Option(names = "--timeout_s", defaultValue = "30",
      description = "longest wait for a prediction (then 503) and for an idle connection (default: ${DEFAULT-VALUE})")
  long timeoutSeconds;

  @Option(names = "--image_root", description = "a folder whose image files requests may name by path (relative"
      + " to it); without it an image input must be an uploaded file and no server path is ever read")
  Path imageRoot;

  @Option(names = "--max_image_pixels", defaultValue = "" + ImageLimits.DEFAULT_MAX_PIXELS,
      description = "largest image (width x height, from its header) decoded; larger gets 400 (default: ${DEFAULT-VALUE})")
  long maxImagePixels;

  @Override
  public Integer call() throws InterruptedException {
    if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must lie in [0, 65535], not " + port);
    if (maxBodyBytes < 1) throw new IllegalArgumentException("--max_body_bytes must be >= 1, not " + maxBodyBytes);
    if (timeoutSeconds < 1) throw new IllegalArgumentException("--timeout_s must be >= 1, not " + timeoutSeconds);
    if (maxImagePixels < 1) throw new IllegalArgumentException("--max_image_pixels must be >= 1, not " + maxImagePixels);
    ImageLimits.setMaxPixels(maxImagePixels);
    Duration timeout = Duration.ofSeconds(timeoutSeconds);
    var batching = new MicroBatcher.Settings(maxBatchSize, Duration.ofMillis(maxBatchDelayMs), maxQueueRows, timeout);
    FidelioModel model = FidelioModel.load(modelPath, maxBatchSize);
    PredictionServer server;
    try {
      server = PredictionServer.start(model, new PredictionServer.Settings(host, port, batching, maxBodyBytes, timeout,
          imageRoot));
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      model.close();
      stopped.countDown();
    }));
    Log.info("serving " + modelPath + " on http://" + host + ":" + server.port()
        + "  (GET /, POST /predict, POST /batch_predict; Ctrl-C stops)");
    stopped.await();
    return 0;
  }
}
