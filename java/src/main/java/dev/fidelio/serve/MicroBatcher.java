package dev.fidelio.serve;

import dev.fidelio.api.FidelioModel;
import dev.fidelio.api.InvalidInputException;
import dev.fidelio.util.Log;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batches rows across concurrent requests: one worker thread takes the first waiting request, keeps
 * collecting requests for up to maxDelay or until maxBatchRows rows, and runs them through the model
 * as one batch (one tokenizer call, one native forward pass per model batch). While the model is
 * busy, new requests pile up and form the next batch, so under load batches fill without waiting.
 * Bounded: at most queueLimitRows rows wait (more is {@link Overloaded}; one request of more is
 * {@link TooManyRows}); a caller waits at most timeout for its answer.
 */
public final class MicroBatcher implements AutoCloseable {
  /** The queue is full: answer 503 and let the client retry. */
  public static final class Overloaded extends RuntimeException {
    Overloaded(String message) {
      super(message);
    }
  }

  /** One request holds more rows than may ever wait: answer 413 (it would hold the model for everyone). */
  public static final class TooManyRows extends RuntimeException {
    TooManyRows(String message) {
      super(message);
    }
  }

  public record Settings(int maxBatchRows, Duration maxDelay, int queueLimitRows, Duration timeout) {
    public Settings {
      if (maxBatchRows < 1) throw new IllegalArgumentException("max batch size must be >= 1, got " + maxBatchRows);
      if (queueLimitRows < 1) throw new IllegalArgumentException("queue limit must be >= 1 row, got " + queueLimitRows);
      if (maxDelay.isNegative() || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("batch delay must be >= 0 and the timeout > 0");
      }
    }
  }

  private record Pending(List<? extends Map<String, ?>> rows, CompletableFuture<List<Map<String, Object>>> answer) {}

  private final FidelioModel model;
  private final Settings settings;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger waitingRows = new AtomicInteger();
  private final Thread worker;
  private volatile boolean closed;

  public MicroBatcher(FidelioModel model, Settings settings) {
    this.model = model;
    this.settings = settings;
    this.worker = Thread.ofPlatform().name("fidelio-batcher").daemon().start(this::work);
  }

  /**
   * The prediction columns of each row, in order. Throws {@link InvalidInputException} (bad rows),
   * {@link Overloaded} (queue full), {@link TimeoutException} (no answer within the timeout).
   */
  public List<Map<String, Object>> predict(List<? extends Map<String, ?>> rows)
      throws InterruptedException, TimeoutException {
    if (rows.size() > settings.queueLimitRows()) {
      throw new TooManyRows("a request of " + rows.size() + " rows is more than the " + settings.queueLimitRows()
          + " that may wait (--max_queue_rows); send them in several requests");
    }
    model.validate(rows);  // a bad request fails alone, before it can join a batch
    if (closed) throw new Overloaded("the server is shutting down");
    int queued = waitingRows.addAndGet(rows.size());
    if (queued > settings.queueLimitRows()) {
      waitingRows.addAndGet(-rows.size());
      throw new Overloaded("server busy: " + (queued - rows.size()) + " rows are waiting (limit "
          + settings.queueLimitRows() + "); retry later");
    }
    Pending pending = new Pending(rows, new CompletableFuture<>());
    queue.add(pending);
    try {
      return pending.answer().get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      pending.answer().cancel(false);  // the worker skips it if it has not started yet
      throw new TimeoutException("no prediction within " + settings.timeout().toSeconds() + " s");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw new IllegalStateException(e.getCause());
    }
  }

  private void work() {
    while (!closed) {
      List<Pending> batch;
      try {
        batch = collect();
      } catch (InterruptedException e) {
        break;
      }
      run(batch);
      for (Pending p : batch) waitingRows.addAndGet(-p.rows().size());
    }
    for (Pending p : queue) p.answer().completeExceptionally(new Overloaded("the server is shutting down"));
  }

  /** The first waiting request, then whatever arrives within maxDelay, up to maxBatchRows rows. */
  private List<Pending> collect() throws InterruptedException {
    List<Pending> batch = new ArrayList<>();
    batch.add(queue.take());
    int rows = batch.getFirst().rows().size();
    long deadline = System.nanoTime() + settings.maxDelay().toNanos();
    while (rows < settings.maxBatchRows()) {
      Pending next = queue.peek();
      if (next != null && rows + next.rows().size() > settings.maxBatchRows()) break;
      next = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (next == null) break;
      batch.add(next);
      rows += next.rows().size();
    }
    return batch;
  }

  private void run(List<Pending> batch) {
    List<Pending> live = batch.stream().filter(p -> !p.answer().isDone()).toList();
    if (live.isEmpty()) return;
    List<Map<String, ?>> rows = new ArrayList<>();
    for (Pending p : live) rows.addAll(p.rows());
    try {
      List<Map<String, Object>> answers = model.predict(rows).rows();
      int offset = 0;
      for (Pending p : live) {
        p.answer().complete(answers.subList(offset, offset + p.rows().size()));
        offset += p.rows().size();
      }
    } catch (InvalidInputException e) {
      // Checked rows can still fail in preprocessing; find the request at fault by running each alone.
      if (live.size() == 1) live.getFirst().answer().completeExceptionally(e);
      else live.forEach(p -> run(List.of(p)));
    } catch (RuntimeException | Error e) {
      Log.warn("prediction failed: " + e);
      live.forEach(p -> p.answer().completeExceptionally(e));
    }
  }

  /** Stops the worker; requests still waiting are answered {@link Overloaded}. */
  @Override
  public void close() {
    closed = true;
    worker.interrupt();
    try {
      worker.join(settings.timeout().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
