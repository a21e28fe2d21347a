package dev.tidemark.testkit;

import dev.tidemark.api.DynamoApi;
import dev.tidemark.api.Operations;
import dev.tidemark.backup.BackupRepository;
import dev.tidemark.backup.BackupService;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.ObjectStore;
import dev.tidemark.pitr.PitrService;
import dev.tidemark.protocol.HttpServer;
import dev.tidemark.protocol.RequestIds;
import dev.tidemark.storage.RocksStorage;
import dev.tidemark.tables.Database;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A server assembled by hand as {@code Bootstrap} does, but around a backup store the test chooses
 * (a {@code FaultyObjectStore}, say), with in-memory RocksDB and the real HTTP pipeline on a random
 * port. The parts stay reachable, so a test can both drive the API and look behind it.
 */
public final class AssembledServer implements AutoCloseable {
  public final Database db;
  public final BackupService backups;
  public final PitrService pitr;
  public final Operations operations;
  public final HttpServer http;
  public final int port;
  public final DynamoDbClient client;

  private AssembledServer(
      Database db, BackupService backups, PitrService pitr, Operations ops, HttpServer http)
      throws Exception {
    this.db = db;
    this.backups = backups;
    this.pitr = pitr;
    this.operations = ops;
    this.http = http;
    this.port = http.start("127.0.0.1", 0);
    this.client =
        DynamoDbClient.builder()
            .endpointOverride(URI.create("http://127.0.0.1:" + port))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .httpClient(
                UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(60)).build())
            .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build();
  }

  /** Starts a server whose backups and PITR archive live in {@code store}. */
  public static AssembledServer start(
      ObjectStore store, SymmetricKey key, Path scratch, PitrService.Config pitrConfig)
      throws Exception {
    return start(RocksStorage.inMemory(), store, key, scratch, pitrConfig);
  }

  /** As above, over {@code storage} (a data directory on disk, for benchmarks). */
  public static AssembledServer start(
      RocksStorage storage,
      ObjectStore store,
      SymmetricKey key,
      Path scratch,
      PitrService.Config pitrConfig)
      throws Exception {
    Database db =
        new Database(storage, System::currentTimeMillis, true, "us-east-1", "000000000000");
    BackupService backups = new BackupService(db, new BackupRepository(store, key), scratch);
    backups.start();
    PitrService pitr = new PitrService(db, backups, pitrConfig);
    pitr.load();
    pitr.start();
    Operations ops = DynamoApi.operations(db, backups, pitr);
    return new AssembledServer(
        db, backups, pitr, ops, new HttpServer(ops, "us-east-1", RequestIds::next));
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    client.close();
    http.stop();
    pitr.close();
    backups.close();
    db.close();
  }
}
