package dev.tidemark.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Sends signed replication requests to one peer region. Thread-safe. Apply frames go through {@link
 * PeerHttp} (the shipping path, many small requests a second); everything else through the JDK's
 * HTTP client.
 */
final class PeerClient implements AutoCloseable {
  static final String PATH_PREFIX = "/tidemark/replication/";
  private static final ObjectMapper JSON = new ObjectMapper();

  final String region;
  private final URI base;
  private final String localRegion;
  private final PeerAuth auth;
  private final LongSupplier clock;
  private final HttpClient http;

  /** The sender of apply frames; null for a URL without a host. */
  private final PeerHttp frames;

  final ClockSkew skew = new ClockSkew();

  /**
   * @param tls what an {@code https} peer's certificate is checked against ({@link PeerTls}); null
   *     for the JDK's trusted authorities
   */
  PeerClient(
      String region,
      URI base,
      String localRegion,
      PeerAuth auth,
      LongSupplier clock,
      javax.net.ssl.SSLContext tls) {
    this.region = region;
    this.base = base;
    this.localRegion = localRegion;
    this.auth = auth;
    this.clock = clock;
    // HTTP/1.1 outright: the server speaks nothing else, and the default first tries an h2c
    // upgrade on every new connection (which a proxy between regions may refuse).
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2));
    if (tls != null) {
      builder.sslContext(tls);
    }
    this.http = builder.build();
    this.frames = PeerHttp.serves(base) ? new PeerHttp(base, tls) : null;
  }

  /**
   * Calls {@code op} with {@code body}.
   *
   * @throws Unavailable when the peer cannot be reached or failed (worth retrying)
   * @throws Refused when the peer answered with a client error (its message is for the user)
   */
  JsonNode call(String op, JsonNode body, Duration timeout) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return call(op, bytes, "application/json", bytes.length, timeout);
  }

  /** Calls {@code op} with a binary {@link ApplyFrame}; the answer is JSON as for any call. */
  JsonNode call(String op, byte[] frame, Duration timeout) {
    if (frames != null && ApplyFrame.OP.equals(op)) {
      return callFrame(op, frame, timeout);
    }
    return call(op, frame, ApplyFrame.CONTENT_TYPE, frame.length, timeout);
  }

  /** An apply frame over {@link PeerHttp}: same request, signature and answer rules as below. */
  private JsonNode callFrame(String op, byte[] frame, Duration timeout) {
    String path = PATH_PREFIX + op;
    String[] headers = {
      "Content-Type",
      ApplyFrame.CONTENT_TYPE,
      PeerAuth.HEADER,
      auth.signImmutable(localRegion, clock.getAsLong(), path, frame)
    };
    PeerHttp.Answer response;
    long sent = clock.getAsLong();
    try {
      response = frames.post(base.resolve(path).getRawPath(), headers, frame, timeout);
    } catch (IOException e) {
      throw new Unavailable(region + " (" + base + ") is unreachable: " + e);
    }
    long received = clock.getAsLong();
    if (response.clock() != null) {
      try {
        skew.sample(sent, Long.parseLong(response.clock()), received);
      } catch (NumberFormatException e) {
        // Not a clock reading: no sample.
      }
    }
    return answer(response.status(), response.body());
  }

  /**
   * Calls {@code op} with a binary body whose signature covers its first {@code signedLength}
   * bytes: the framing of a copy frame, whose content is authenticated otherwise.
   */
  JsonNode call(String op, byte[] bytes, int signedLength, Duration timeout) {
    return call(op, bytes, "application/octet-stream", signedLength, timeout);
  }

  private JsonNode call(
      String op, byte[] bytes, String contentType, int signedLength, Duration timeout) {
    String path = PATH_PREFIX + op;
    byte[] signed = signedLength == bytes.length ? bytes : Arrays.copyOf(bytes, signedLength);
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(timeout)
            .header("Content-Type", contentType)
            .header(PeerAuth.HEADER, auth.sign(localRegion, clock.getAsLong(), path, signed))
            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
            .build();
    HttpResponse<byte[]> response;
    long sent = clock.getAsLong();
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      long received = clock.getAsLong();
      response
          .headers()
          .firstValue(ClockSkew.HEADER)
          .ifPresent(v -> skew.sample(sent, Long.parseLong(v), received));
    } catch (IOException e) {
      throw new Unavailable(region + " (" + base + ") is unreachable: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unavailable("interrupted while calling " + region);
    }
    return answer(response.statusCode(), response.body());
  }

  /** The JSON answer of a 2xx or 3xx; a refusal or failure as the exception callers expect. */
  private JsonNode answer(int status, byte[] body) {
    JsonNode answer;
    try {
      answer = JSON.readTree(body);
    } catch (IOException e) {
      throw new Unavailable(region + " answered " + status + " without JSON");
    }
    if (status >= 500) {
      throw new Unavailable(
          region + " failed (" + status + "): " + answer.path("message").asText());
    }
    if (status >= 400) {
      throw new Refused(
          answer.path("__type").asText("ValidationException"), answer.path("message").asText());
    }
    return answer;
  }

  /** Closes the kept-alive connections of {@link PeerHttp}; a call blocked on one fails at once. */
  @Override
  public void close() {
    if (frames != null) {
      frames.close();
    }
  }

  @Override
  public String toString() {
    return region + " at " + base;
  }

  /** The peer is down, unreachable or failing: report it and retry later. */
  static final class Unavailable extends RuntimeException {
    Unavailable(String message) {
      super(message, null, false, false);
    }
  }

  /** The peer refused the request; {@code type} is the DynamoDB error type it chose. */
  static final class Refused extends RuntimeException {
    final String type;

    Refused(String type, String message) {
      super(message, null, false, false);
      this.type = type;
    }
  }
}
