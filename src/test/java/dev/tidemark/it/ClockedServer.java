package dev.tidemark.it;

import dev.tidemark.api.DynamoApi;
import dev.tidemark.auth.Authenticator;
import dev.tidemark.backup.BackupRepository;
import dev.tidemark.backup.BackupService;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.MemoryObjectStore;
import dev.tidemark.pitr.PitrService;
import dev.tidemark.protocol.HttpServer;
import dev.tidemark.protocol.RequestIds;
import dev.tidemark.retention.ChangeLogRetention;
import dev.tidemark.storage.RocksStorage;
import dev.tidemark.tables.Database;
import dev.tidemark.ttl.TtlSweeper;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * An in-process server assembled like Bootstrap does it, but on a clock the test moves by hand, so
 * that iterator expiry, retention and TTL are tested without sleeping. The background workers are
 * not scheduled; tests run their passes ({@link TtlSweeper#sweepOnce()}, {@link
 * ChangeLogRetention#trimOnce()}) when they choose.
 */
final class ClockedServer implements AutoCloseable {
  /** 2026-11-18T..., a fixed start so runs are reproducible. */
  static final long START_MILLIS = 1_795_000_000_000L;

  final AtomicLong clock = new AtomicLong(START_MILLIS);
  final Database db;
  final BackupService backups;
  final HttpServer http;
  final String endpoint;
  final DynamoDbClient client;
  final DynamoDbStreamsClient streams;
  final TtlSweeper sweeper;

  ClockedServer() throws Exception {
    db = new Database(RocksStorage.inMemory(), clock::get, true, "us-east-1", "000000000000");
    backups =
        new BackupService(
            db,
            new BackupRepository(new MemoryObjectStore(), SymmetricKey.random()),
            Files.createTempDirectory("tidemark-clocked-scratch"));
    // Nothing is in flight when a test closes the server; a short drain keeps teardown quick.
    http =
        new HttpServer(
            DynamoApi.operations(
                db, backups, new PitrService(db, backups, PitrService.Config.defaults())),
            RequestIds::next,
            Authenticator.acceptAnyCredentials("us-east-1"),
            HttpServer.Limits.defaults().withDrainTimeout(Duration.ofMillis(100)));
    int port = http.start("127.0.0.1", 0);
    endpoint = "http://127.0.0.1:" + port;
    var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t"));
    client =
        DynamoDbClient.builder()
            .endpointOverride(URI.create(endpoint))
            .region(Region.US_EAST_1)
            .credentialsProvider(credentials)
            .httpClient(UrlConnectionHttpClient.create())
            .build();
    streams =
        DynamoDbStreamsClient.builder()
            .endpointOverride(URI.create(endpoint))
            .region(Region.US_EAST_1)
            .credentialsProvider(credentials)
            .httpClient(UrlConnectionHttpClient.create())
            .build();
    sweeper = new TtlSweeper(db, clock::get);
  }

  ChangeLogRetention retention(Duration period) {
    return new ChangeLogRetention(db, period, clock::get);
  }

  void advance(Duration d) {
    clock.addAndGet(d.toMillis());
  }

  long nowSeconds() {
    return clock.get() / 1000;
  }

  @Override
  public void close() {
    client.close();
    streams.close();
    http.close();
    backups.close();
    db.close();
  }
}
