package dev.tidemark.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.Authenticator;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.SignedRequest;
import dev.tidemark.errors.DynamoException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Times and counts every operation of every API where they all pass: the gate. Wrapping the gate
 * (rather than each front) means a new API or operation is measured without anyone remembering to,
 * and refusals by authentication and policy are counted with the operation they refused.
 *
 * <p>The operation names come from the fronts after routing, so they are bounded by what the server
 * serves; past {@link #MAX_OPERATIONS} distinct names (a front passing through names a client made
 * up) the rest are counted as {@code other}, so no client can grow the series without bound.
 */
final class MeteredGate implements Authenticator {
  static final int MAX_OPERATIONS = 512;
  static final String STREAMS_PREFIX = "DynamoDBStreams_20120810.";
  static final String OTHER = "other";

  private final Authenticator inner;
  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> errors = new ConcurrentHashMap<>();

  MeteredGate(Authenticator inner, MeterRegistry registry) {
    this.inner = Objects.requireNonNull(inner);
    this.registry = Objects.requireNonNull(registry);
  }

  @Override
  public CallerIdentity authenticate(SignedRequest request) {
    return inner.authenticate(request);
  }

  @Override
  public CallerIdentity admit(SignedRequest request, String operation, JsonNode input) {
    return inner.admit(request, operation, input);
  }

  @Override
  public String ownerOf(String accessKeyId) {
    return inner.ownerOf(accessKeyId);
  }

  @Override
  public <T> T serve(SignedRequest request, String operation, JsonNode input, Work<T> work) {
    long started = System.nanoTime();
    String error = "InternalServerError";
    try {
      T result = inner.serve(request, operation, input, work);
      error = null;
      return result;
    } catch (DynamoException e) {
      error = e.error().typeName();
      throw e;
    } finally {
      long nanos = System.nanoTime() - started;
      timer(operation).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
      if (error != null) {
        errorCounter(operation, error).increment();
      }
    }
  }

  private Timer timer(String operation) {
    Timer t = timers.get(operation);
    if (t != null) {
      return t;
    }
    boolean capped = timers.size() >= MAX_OPERATIONS;
    String tag = capped ? OTHER : tagValue(operation);
    return timers.computeIfAbsent(
        capped ? OTHER : operation,
        k ->
            Timer.builder("tidemark.requests")
                .description("Requests served, by operation, whatever their outcome")
                .tag("operation", tag)
                .serviceLevelObjectives(ServerMetrics.LATENCY_BUCKETS)
                .register(registry));
  }

  private Counter errorCounter(String operation, String error) {
    String key = operation + '\0' + error;
    Counter c = errors.get(key);
    if (c != null) {
      return c;
    }
    boolean capped = errors.size() >= MAX_OPERATIONS;
    String operationTag = capped ? OTHER : tagValue(operation);
    String errorTag = capped ? OTHER : error;
    return errors.computeIfAbsent(
        capped ? OTHER : key,
        k ->
            Counter.builder("tidemark.request.errors")
                .description("Requests answered with an error, by operation and error type")
                .tag("operation", operationTag)
                .tag("error", errorTag)
                .register(registry));
  }

  /** The operation as a tag: Streams targets shortened to {@code streams:GetRecords}. */
  static String tagValue(String operation) {
    if (operation.startsWith(STREAMS_PREFIX)) {
      return "streams:" + operation.substring(STREAMS_PREFIX.length());
    }
    return operation;
  }
}
