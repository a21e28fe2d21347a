package dev.tidemark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.cli.Bootstrap;
import dev.tidemark.cli.ServerConfig;
import dev.tidemark.replication.DrillClient;
import dev.tidemark.replication.PeerTls;
import dev.tidemark.replication.ReplicationConfig;
import dev.tidemark.testkit.GlobalTableKit;
import dev.tidemark.testkit.TestPki;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReplicationGroupUpdate;

/**
 * Protects TLS between regions ({@code https} peer URLs, {@code --tls-cert} on each region and
 * {@code --peer-ca-file} naming a private CA): a replica is created, filled and followed in both
 * directions over TLS, and a caller that does not trust that CA (the JDK's default authorities)
 * cannot reach a region at all, so nothing crosses unencrypted or to an impostor.
 */
class PeerTlsIntegrationTest {
  private static final String[] REGIONS = {"us-east-1", "eu-west-1"};

  @Test
  void replicasFillAndFollowOverTlsWithAPrivateCa(@TempDir Path dir) throws Exception {
    TestPki.Issued ca = TestPki.ca();
    TestPki.Issued server = TestPki.server(ca, "RSA");
    Path cert = TestPki.write(dir.resolve("server.pem"), TestPki.pem(server.cert()));
    Path key = TestPki.write(dir.resolve("server.key"), TestPki.pem(server.keys().getPrivate()));
    Path caFile = TestPki.write(dir.resolve("ca.pem"), TestPki.pem(ca.cert()));
    Path secret = dir.resolve("secret");
    Files.writeString(secret, "a-shared-replication-secret-0123456789\n");
    byte[] secretBytes =
        Files.readString(secret, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
    int[] ports = new int[2];
    for (int i = 0; i < 2; i++) {
      try (ServerSocket s = new ServerSocket(0)) {
        ports[i] = s.getLocalPort();
      }
    }
    TrustManager[] trust = TestPki.trusting(ca.cert());
    List<Bootstrap.Running> servers = new ArrayList<>();
    List<DynamoDbClient> clients = new ArrayList<>();
    try (SdkHttpClient http =
        UrlConnectionHttpClient.builder().tlsTrustManagersProvider(() -> trust).build()) {
      for (int i = 0; i < 2; i++) {
        String peer = REGIONS[1 - i] + "=https://127.0.0.1:" + ports[1 - i];
        Path d = dir.resolve(REGIONS[i]);
        Bootstrap.Running r =
            Bootstrap.start(
                dev.tidemark.testkit.OpenServerConfig.region(d, REGIONS[i], ports[i])
                    .withTls(new ServerConfig.TlsFiles(cert, key)),
                ReplicationConfig.of(REGIONS[i], List.of(peer), secret)
                    .withPeerTls(PeerTls.trusting(caFile)));
        servers.add(r);
        assertThat(r.endpoint()).startsWith("https://");
        clients.add(
            DynamoDbClient.builder()
                .endpointOverride(URI.create(r.endpoint()))
                .region(Region.of(REGIONS[i]))
                .credentialsProvider(
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(http)
                .build());
      }
      GlobalTableKit.createTable(clients.get(0), "secure");
      for (int n = 0; n < 20; n++) {
        Map<String, AttributeValue> it =
            Map.of("pk", AttributeValue.fromS("k" + n), "g", AttributeValue.fromS("g"));
        clients.get(0).putItem(r -> r.tableName("secure").item(it));
      }
      clients
          .get(0)
          .updateTable(
              r ->
                  r.tableName("secure")
                      .replicaUpdates(
                          ReplicationGroupUpdate.builder()
                              .create(c -> c.regionName(REGIONS[1]))
                              .build()));
      GlobalTableKit.awaitActive(clients.get(0), "secure", 2);
      GlobalTableKit.awaitActive(clients.get(1), "secure", 2);
      clients
          .get(1)
          .putItem(
              r ->
                  r.tableName("secure")
                      .item(
                          Map.of(
                              "pk",
                              AttributeValue.fromS("from-eu"),
                              "g",
                              AttributeValue.fromS("g"))));
      List<Map<String, AttributeValue>> expected = null;
      for (int n = 0; n < 400; n++) {
        expected = GlobalTableKit.scan(clients.get(0), "secure", null);
        if (expected.size() == 21
            && GlobalTableKit.scan(clients.get(1), "secure", null).equals(expected)) {
          break;
        }
        Thread.sleep(50);
      }
      assertThat(expected).hasSize(21);
      assertThat(GlobalTableKit.scan(clients.get(1), "secure", null)).isEqualTo(expected);

      // A drill (the same peer channel) with the CA is served; without it the TLS handshake
      // fails before any request is sent.
      URI us = URI.create(servers.get(0).endpoint());
      assertThat(
              DrillClient.send(us, secretBytes, REGIONS[1], true, PeerTls.trusting(caFile))
                  .path("paused")
                  .toString())
          .contains(REGIONS[1]);
      DrillClient.send(us, secretBytes, REGIONS[1], false, PeerTls.trusting(caFile));
      assertThatThrownBy(() -> DrillClient.send(us, secretBytes, REGIONS[1], true, null))
          .isInstanceOf(java.io.IOException.class);
    } finally {
      clients.forEach(DynamoDbClient::close);
      servers.forEach(Bootstrap.Running::close);
    }
  }

  // A file that holds no certificate is refused at start with the option's name, not at the first
  // connection to a peer.
  @Test
  void aCaFileWithoutCertificatesIsRefused(@TempDir Path dir) throws Exception {
    Path empty = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
    assertThatThrownBy(() -> PeerTls.trusting(empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--peer-ca-file");
    assertThatThrownBy(() -> PeerTls.trusting(dir.resolve("missing.pem")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--peer-ca-file " + dir.resolve("missing.pem") + " does not exist");
  }
}
