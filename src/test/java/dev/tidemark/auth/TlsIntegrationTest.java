package dev.tidemark.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.cli.Bootstrap;
import dev.tidemark.cli.ServerConfig;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.storage.RocksStorage;
import dev.tidemark.tables.TableCatalog;
import dev.tidemark.testkit.TestPki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * Protects {@code --tls-cert}/{@code --tls-key} and {@code aws:SecureTransport}: the AWS SDK for
 * Java v2 reaches an IAM-mode server over HTTPS with a CA of the test's own (DynamoDB and IAM on
 * the one port), plain HTTP gets no answer from it, a policy conditioned on {@code
 * aws:SecureTransport} allows over TLS and denies the same signed request that arrived in plain
 * HTTP, and a mismatched key is refused at start before anything is written.
 */
class TlsIntegrationTest {
  private static final String ACCOUNT = "123456789012";
  private static final String TLS_ONLY =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"dynamodb:*\","
          + "\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"true\"}}}]}";

  @TempDir Path dir;

  private ServerConfig config(Path cert, Path key) {
    return dev.tidemark.testkit.IamServerConfig.of(dir, ACCOUNT)
        .withTls(new ServerConfig.TlsFiles(cert, key));
  }

  @Test
  void sdkOverHttpsWithATestCaAndSecureTransportInPolicies() throws Exception {
    TestPki.Issued ca = TestPki.ca();
    TestPki.Issued server = TestPki.server(ca, "RSA");
    Path cert = TestPki.write(dir.resolve("server.pem"), TestPki.pem(server.cert()));
    // PKCS#1, as `openssl genrsa` of OpenSSL 1.x writes it.
    Path key = TestPki.write(dir.resolve("server.key"), TestPki.pem(server.keys().getPrivate()));
    TrustManager[] trust = TestPki.trusting(ca.cert());
    try (Bootstrap.Running running = Bootstrap.start(config(cert, key))) {
      String endpoint = running.endpoint();
      assertThat(endpoint).startsWith("https://127.0.0.1:");
      String[] admin =
          dev.tidemark.testkit.IamServerConfig.adminKey(dir.resolve("admin.credentials"));
      try (SdkHttpClient http =
              UrlConnectionHttpClient.builder().tlsTrustManagersProvider(() -> trust).build();
          IamClient iam =
              IamClient.builder()
                  .endpointOverride(URI.create(endpoint))
                  .region(Region.US_EAST_1)
                  .credentialsProvider(creds(admin[0], admin[1]))
                  .httpClient(http)
                  .build();
          DynamoDbClient root = dynamo(endpoint, http, admin[0], admin[1])) {
        root.createTable(
            r ->
                r.tableName("Secure")
                    .billingMode("PAY_PER_REQUEST")
                    .attributeDefinitions(
                        software.amazon.awssdk.services.dynamodb.model.AttributeDefinition.builder()
                            .attributeName("pk")
                            .attributeType("S")
                            .build())
                    .keySchema(
                        software.amazon.awssdk.services.dynamodb.model.KeySchemaElement.builder()
                            .attributeName("pk")
                            .keyType("HASH")
                            .build()));
        iam.createUser(r -> r.userName("carol"));
        iam.putUserPolicy(r -> r.userName("carol").policyName("tls").policyDocument(TLS_ONLY));
        var k = iam.createAccessKey(r -> r.userName("carol")).accessKey();
        try (DynamoDbClient carol = dynamo(endpoint, http, k.accessKeyId(), k.secretAccessKey())) {
          carol.putItem(r -> r.tableName("Secure").item(Map.of("pk", s("a"), "v", s("1"))));
          assertThat(carol.getItem(r -> r.tableName("Secure").key(Map.of("pk", s("a")))).item())
              .containsEntry("v", s("1"));
        }
      }
      // Plain HTTP on the TLS port gets no DynamoDB answer.
      String plain = endpoint.replace("https://", "http://");
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      HttpRequest get =
          HttpRequest.newBuilder(URI.create(plain + "/")).timeout(Duration.ofSeconds(5)).build();
      try {
        HttpResponse<String> r = client.send(get, HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).doesNotContain("healthy");
      } catch (java.io.IOException expected) {
        // Jetty closes a connection whose first bytes are not a TLS handshake.
      }
    }
  }

  @Test
  void secureTransportIsWhatTheRequestArrivedOver() throws Exception {
    try (RocksStorage storage = RocksStorage.inMemory()) {
      IdentityStore store =
          new IdentityStore(
              storage, ACCOUNT, new SecretSealer(new byte[32]), System::currentTimeMillis);
      store.createUser("carol", null);
      store.putUserPolicy("carol", "tls", TLS_ONLY);
      IdentityStore.NewKey key = store.createAccessKey("carol");
      AccessControl gate =
          AccessControl.forTables(
              store, new TableCatalog(storage), "us-east-1", System::currentTimeMillis);
      String body = "{\"TableName\":\"Secure\",\"Key\":{\"pk\":{\"S\":\"a\"}}}";
      Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      h.putAll(
          SdkSigning.signed(
              key.key().id(), key.secret(), "DynamoDB_20120810.GetItem", body, Instant.now()));
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      var input = new ObjectMapper().readTree(bytes);
      SignedRequest overTls =
          new SignedRequest("POST", "/", null, h::get, bytes, "127.0.0.1", true);
      SignedRequest plain = new SignedRequest("POST", "/", null, h::get, bytes, "127.0.0.1", false);

      assertThat(gate.admit(overTls, "GetItem", input).principal().userName()).isEqualTo("carol");
      assertThatThrownBy(() -> gate.admit(plain, "GetItem", input))
          .isInstanceOfSatisfying(
              DynamoException.class, e -> assertThat(e.error()).isEqualTo(WireError.ACCESS_DENIED))
          .hasMessageContaining("is not authorized to perform: dynamodb:GetItem");

      // The usual "TLS only" guard: an explicit Deny when it is false.
      store.putUserPolicy(
          "carol",
          "deny-plain",
          "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\","
              + "\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}");
      assertThat(gate.admit(overTls, "GetItem", input)).isNotNull();
      assertThatThrownBy(() -> gate.admit(plain, "GetItem", input))
          .hasMessageContaining("with an explicit deny");
    }
  }

  @Test
  void aMismatchedKeyIsRefusedBeforeAnythingIsWritten() throws Exception {
    TestPki.Issued ca = TestPki.ca();
    TestPki.Issued server = TestPki.server(ca, "EC");
    Path cert = TestPki.write(dir.resolve("server.pem"), TestPki.pem(server.cert()));
    Path key =
        TestPki.write(dir.resolve("other.key"), TestPki.pkcs8(TestPki.keyPair("EC").getPrivate()));
    assertThatThrownBy(() -> Bootstrap.start(config(cert, key)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not belong to the certificate " + cert);
    assertThat(dir.resolve("data")).doesNotExist();
    assertThat(dir.resolve("admin.credentials")).doesNotExist();
  }

  private static StaticCredentialsProvider creds(String id, String secret) {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret));
  }

  private static DynamoDbClient dynamo(
      String endpoint, SdkHttpClient http, String id, String secret) {
    return DynamoDbClient.builder()
        .endpointOverride(URI.create(endpoint))
        .region(Region.US_EAST_1)
        .credentialsProvider(creds(id, secret))
        .httpClient(http)
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  private static AttributeValue s(String v) {
    return AttributeValue.fromS(v);
  }
}
