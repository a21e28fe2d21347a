package dev.tidemark.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Calls the {@link PeerService}s of other regions ({@link PeerServicesEndpoint}): one signed
 * request, and an answer accepted only when the peer signed it over its bytes and this request's
 * signature. Thread-safe.
 */
final class PeerCaller {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, URI> peers;
  private final PeerAuth auth;
  private final String region;
  private final LongSupplier clock;
  private final HttpClient http;

  PeerCaller(ReplicationConfig config, String region, LongSupplier clock) {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
    if (config.peerTls() != null) {
      builder.sslContext(config.peerTls());
    }
    this.http = builder.build();
    this.peers = config.peers();
    this.auth = config.secret() == null ? null : new PeerAuth(config.secret());
    this.region = region;
    this.clock = clock;
  }

  /** What a peer signs its answer over: the path and the request's own signature. */
  static String answerScope(String path, String requestSignature) {
    return path + "\n" + requestSignature;
  }

  boolean knows(String peer) {
    return peers.containsKey(peer);
  }

  /**
   * One signed request to {@code service}/{@code op} of {@code peer} and its verified answer.
   *
   * @throws Unreachable when the peer cannot be reached, failed, or its answer is not authentic
   * @throws DynamoException the peer's refusal, with its type and message
   */
  byte[] call(String peer, String service, String op, JsonNode body, Duration timeout) {
    URI base = peers.get(peer);
    String path = PeerServicesEndpoint.PATH + service + "/" + op;
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    String signature = auth.sign(region, clock.getAsLong(), path, bytes);
    HttpResponse<byte[]> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(base.resolve(path))
                  .timeout(timeout)
                  .header("Content-Type", "application/json")
                  .header(PeerAuth.HEADER, signature)
                  .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new Unreachable("Region " + peer + " (" + base + ") is unreachable: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unreachable("interrupted while calling region " + peer);
    }
    if (response.statusCode() == 200) {
      String answerSignature = response.headers().firstValue(PeerAuth.HEADER).orElse(null);
      try {
        String signer =
            auth.verify(
                answerSignature, clock.getAsLong(), answerScope(path, signature), response.body());
        if (!signer.equals(peer)) {
          throw new PeerAuth.Refused("signed by " + signer);
        }
      } catch (PeerAuth.Refused e) {
        throw new Unreachable(
            "Region " + peer + "'s answer to " + op + " is not authentic: " + e.getMessage());
      }
      return response.body();
    }
    // A refusal carries no data, so it is read even unsigned (a server without the secret).
    JsonNode error;
    try {
      error = JSON.readTree(response.body());
    } catch (IOException e) {
      error = JSON.createObjectNode();
    }
    String message = error.path("message").asText("");
    if (response.statusCode() >= 500) {
      throw new Unreachable(
          "Region " + peer + " failed (" + response.statusCode() + "): " + message);
    }
    WireError type;
    try {
      type = WireError.valueOf(error.path("error").asText("VALIDATION"));
    } catch (IllegalArgumentException e) {
      type = WireError.VALIDATION;
    }
    if (type == WireError.ACCESS_DENIED) {
      // The peers disagree about the secret: an operator's problem, not the client's request.
      throw new DynamoException(
          WireError.INTERNAL_SERVER_ERROR,
          "Region " + peer + " refused this server's request: " + message);
    }
    throw new DynamoException(type, message);
  }

  /** A JSON answer, for calls whose answers are JSON. */
  JsonNode callJson(String peer, String service, String op, JsonNode body, Duration timeout) {
    byte[] answer = call(peer, service, op, body, timeout);
    try {
      return JSON.readTree(answer);
    } catch (IOException e) {
      throw new Unreachable("region " + peer + " answered " + op + " without JSON");
    }
  }

  /** The peer is down, unreachable, failing, or answered something not authentic. */
  static final class Unreachable extends RuntimeException {
    Unreachable(String message) {
      super(message, null, false, false);
    }
  }
}
