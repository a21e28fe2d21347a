package dev.tidemark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A minimal DynamoDB JSON client for the command line, so {@code tidemark backup ...} talks to a
 * running server through the same API the AWS CLI uses.
 */
final class ServerClient {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI endpoint;

  ServerClient(String endpoint) {
    this.endpoint = URI.create(endpoint);
  }

  /**
   * Calls an operation; a DynamoDB error becomes a {@link ServerError} with its type and message.
   */
  JsonNode call(String operation, ObjectNode request) throws IOException, InterruptedException {
    return post(endpoint, "DynamoDB_20120810." + operation, request);
  }

  /**
   * Calls one of Tidemark's own operations ({@code POST /console/api/<operation>}, the item
   * history), answered with DynamoDB's errors like any other.
   */
  JsonNode callTidemark(String operation, ObjectNode request)
      throws IOException, InterruptedException {
    return post(endpoint.resolve("/console/api/" + operation), null, request);
  }

  private JsonNode post(URI uri, String target, ObjectNode request)
      throws IOException, InterruptedException {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(uri)
            .header("Content-Type", "application/x-amz-json-1.0")
            .header(
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=tidemark-cli/20260101/local/dynamodb/aws4_request,"
                    + " SignedHeaders=host, Signature=0")
            .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(request)));
    if (target != null) {
      req.header("X-Amz-Target", target);
    }
    HttpResponse<byte[]> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    JsonNode body = JSON.readTree(resp.body());
    if (resp.statusCode() != 200) {
      String type = body.path("__type").asText("Error");
      throw new ServerError(
          type.substring(type.indexOf('#') + 1), body.path("message").asText(body.toString()));
    }
    return body;
  }

  /** GETs a path of the server (its own endpoints, such as the status) as JSON. */
  JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<byte[]> resp =
        http.send(
            HttpRequest.newBuilder(endpoint.resolve(path)).GET().build(),
            HttpResponse.BodyHandlers.ofByteArray());
    if (resp.statusCode() != 200) {
      throw new IOException("GET " + path + " answered HTTP " + resp.statusCode());
    }
    return JSON.readTree(resp.body());
  }

  /** An error answered by the server. */
  static final class ServerError extends IOException {
    ServerError(String type, String message) {
      super(type + ": " + message);
    }
  }
}
