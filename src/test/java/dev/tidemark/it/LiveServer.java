package dev.tidemark.it;

import dev.tidemark.cli.Bootstrap;
import dev.tidemark.cli.ServerConfig;
import java.net.URI;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** An in-process Tidemark on a random port with an SDK client pointed at it. */
final class LiveServer implements AutoCloseable {
  final Bootstrap.Running running;
  final DynamoDbClient client;

  private LiveServer(Bootstrap.Running running) {
    this.running = running;
    this.client =
        DynamoDbClient.builder()
            .endpointOverride(URI.create(running.endpoint()))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .httpClient(UrlConnectionHttpClient.create())
            .build();
  }

  /** In-memory data; backups go to a fresh temporary directory. */
  static LiveServer inMemory() throws Exception {
    Path dir = java.nio.file.Files.createTempDirectory("tidemark-it");
    return start(dir.resolve("data"), true, dir.resolve("backups"));
  }

  /** Data in {@code dir}; backups in a {@code backups} folder beside it. */
  static LiveServer onDisk(Path dir) throws Exception {
    return start(dir, false, dir.resolveSibling("backups"));
  }

  /** Any configuration: key options, durability, ... */
  static LiveServer start(ServerConfig config) throws Exception {
    return new LiveServer(Bootstrap.start(config));
  }

  static LiveServer start(Path dir, boolean inMemory, Path backups) throws Exception {
    return new LiveServer(
        Bootstrap.start(
            new ServerConfig(
                "127.0.0.1",
                0,
                dir,
                inMemory,
                "us-east-1",
                ServerConfig.Durability.SYNC,
                "000000000000",
                backups,
                null)));
  }

  @Override
  public void close() {
    client.close();
    running.close();
  }
}
