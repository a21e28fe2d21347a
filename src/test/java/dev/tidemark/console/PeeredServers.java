package dev.tidemark.console;

import dev.tidemark.cli.Bootstrap;
import dev.tidemark.cli.ServerConfig;
import dev.tidemark.replication.ReplicationConfig;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongSupplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Two open-mode servers in this JVM, us-east-1 and eu-west-1, each the other's peer, with their
 * data on disk (so each keeps an audit trail): what the console's replica tests need.
 */
final class PeeredServers implements AutoCloseable {
  static final String EAST = "us-east-1";
  static final String WEST = "eu-west-1";

  final Bootstrap.Running east;
  final Bootstrap.Running west;

  /**
   * @param managedClock the first server's AWS Backup clock (tests move it to a scheduled run)
   */
  PeeredServers(Path dir, LongSupplier managedClock) throws Exception {
    int[] ports = new int[2];
    for (int i = 0; i < 2; i++) {
      try (ServerSocket s = new ServerSocket(0)) {
        ports[i] = s.getLocalPort();
      }
    }
    String[] regions = {EAST, WEST};
    Path secret = dir.resolve("secret");
    Files.writeString(secret, "a-shared-replication-secret-0123456789\n");
    Bootstrap.Running[] running = new Bootstrap.Running[2];
    try {
      for (int i = 0; i < 2; i++) {
        Path d = dir.resolve(regions[i]);
        running[i] =
            Bootstrap.start(
                new ServerConfig(
                    "127.0.0.1",
                    ports[i],
                    d.resolve("data"),
                    false,
                    regions[i],
                    ServerConfig.Durability.SYNC,
                    "000000000000",
                    d.resolve("backups"),
                    null),
                ReplicationConfig.of(
                    regions[i],
                    List.of(regions[1 - i] + "=http://127.0.0.1:" + ports[1 - i]),
                    secret),
                i == 0 ? managedClock : System::currentTimeMillis);
      }
    } catch (Exception | Error e) {
      for (Bootstrap.Running r : running) {
        if (r != null) {
          r.close();
        }
      }
      throw e;
    }
    east = running[0];
    west = running[1];
  }

  static DynamoDbClient client(String endpoint, String region) {
    return client(endpoint, region, "test", "test");
  }

  /** A DynamoDB client of the server at {@code endpoint} signing with this key. */
  static DynamoDbClient client(String endpoint, String region, String id, String secret) {
    return DynamoDbClient.builder()
        .endpointOverride(URI.create(endpoint))
        .region(Region.of(region))
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret)))
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  @Override
  public void close() {
    west.close();
    east.close();
  }
}
