package dev.tidemark.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.cli.Bootstrap;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Issue 17 part 8: the answers to requests whose signature cannot be accepted, from a live server
 * in IAM mode, as DynamoDB words them. Signatures are made by the SDK's own SigV4 signer at a
 * chosen instant and sent raw (the SDK signs with its clock and would not send a stale signature);
 * an unsigned request comes from the SDK with anonymous credentials. Wrong secrets, unknown and
 * deactivated keys are covered by {@link IamModeIntegrationTest}.
 */
class SigV4AnswersIntegrationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter AMZ =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final String TIME = "\\d{8}T\\d{6}Z";
  private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection");

  @TempDir static Path dir;
  static Bootstrap.Running server;
  static String adminId;
  static String adminSecret;

  @BeforeAll
  static void start() throws Exception {
    server = Bootstrap.start(IamModeIntegrationTest.config(dir, true));
    String[] admin = IamModeIntegrationTest.adminKey(dir);
    adminId = admin[0];
    adminSecret = admin[1];
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** ListTables signed by the SDK's signer as of {@code at}; returns status, type and message. */
  private static String[] listTablesSignedAt(Instant at) throws Exception {
    Map<String, String> headers =
        SdkSigning.signed(
            server.endpoint(), adminId, adminSecret, "DynamoDB_20120810.ListTables", "{}", at);
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(server.endpoint() + "/"))
            .POST(HttpRequest.BodyPublishers.ofString("{}"));
    headers.forEach(
        (k, v) -> {
          if (!RESTRICTED.contains(k.toLowerCase(java.util.Locale.ROOT))) {
            req.header(k, v);
          }
        });
    HttpResponse<String> r =
        HttpClient.newHttpClient().send(req.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(r.body());
    String type = body.path("__type").asText("");
    return new String[] {
      Integer.toString(r.statusCode()),
      type.substring(type.indexOf('#') + 1),
      body.path("message").asText(body.path("Message").asText(""))
    };
  }

  // Protects the answer to a signature older than 15 minutes: InvalidSignatureException with
  // AWS's "Signature expired" text naming the signing time, the limit and now.
  @Test
  void expiredSignatureIsInvalidSignature() throws Exception {
    Instant at = Instant.now().minus(Duration.ofMinutes(20));
    String[] r = listTablesSignedAt(at);
    assertThat(r[0]).isEqualTo("400");
    assertThat(r[1]).isEqualTo("InvalidSignatureException");
    assertThat(r[2])
        .matches(
            "Signature expired: "
                + AMZ.format(at)
                + " is now earlier than "
                + TIME
                + " \\("
                + TIME
                + " - 15 min\\.\\)");
  }

  // Protects the answer to a signature dated more than 15 minutes ahead.
  @Test
  void futureDatedSignatureIsInvalidSignature() throws Exception {
    Instant at = Instant.now().plus(Duration.ofMinutes(20));
    String[] r = listTablesSignedAt(at);
    assertThat(r[0]).isEqualTo("400");
    assertThat(r[1]).isEqualTo("InvalidSignatureException");
    assertThat(r[2])
        .matches(
            "Signature not yet current: "
                + AMZ.format(at)
                + " is still later than "
                + TIME
                + " \\("
                + TIME
                + " \\+ 15 min\\.\\)");
  }

  // Protects the tolerance: a clock a few minutes off either way is still served.
  @Test
  void signaturesWithinTheSkewAreServed() throws Exception {
    assertThat(listTablesSignedAt(Instant.now().minus(Duration.ofMinutes(10)))[0]).isEqualTo("200");
    assertThat(listTablesSignedAt(Instant.now().plus(Duration.ofMinutes(10)))[0]).isEqualTo("200");
  }

  // Protects the answer to an unsigned request: the SDK with anonymous credentials sends no
  // Authorization header, and gets MissingAuthenticationTokenException with AWS's text.
  @Test
  void unsignedRequestIsMissingAuthenticationToken() {
    try (DynamoDbClient anonymous =
        DynamoDbClient.builder()
            .endpointOverride(URI.create(server.endpoint()))
            .region(Region.US_EAST_1)
            .credentialsProvider(AnonymousCredentialsProvider.create())
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build()) {
      AwsServiceException e =
          catchThrowableOfType(AwsServiceException.class, anonymous::listTables);
      assertThat(e).isNotNull();
      assertThat(e.statusCode()).isEqualTo(400);
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("MissingAuthenticationTokenException");
      assertThat(e.awsErrorDetails().errorMessage())
          .isEqualTo("Request is missing Authentication Token");
    }
  }
}
