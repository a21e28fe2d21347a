package dev.tidemark.auth;

import dev.tidemark.api.DynamoApi;
import dev.tidemark.backup.BackupRepository;
import dev.tidemark.backup.BackupService;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.MemoryObjectStore;
import dev.tidemark.iam.IamApi;
import dev.tidemark.iam.QueryApiHandler;
import dev.tidemark.pitr.PitrService;
import dev.tidemark.protocol.HttpServer;
import dev.tidemark.protocol.RequestIds;
import dev.tidemark.storage.RocksStorage;
import dev.tidemark.tables.Database;
import java.net.URI;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * An IAM-mode server assembled as Bootstrap assembles it (the same gate, identity store, IAM and
 * STS front and DynamoDB operations), on in-memory RocksDB and a clock the test can move forward:
 * the server's time is the wall clock plus {@link #offset}, so credentials can be taken past their
 * expiry without sleeping while the SDK keeps signing with the real time. {@link #restart()} builds
 * the IAM state and the front again from the same storage and master key, as a restart does.
 */
final class ClockedIamServer implements AutoCloseable {
  static final String ACCOUNT = "123456789012";

  final AtomicLong offset = new AtomicLong();
  final Database db;
  private final byte[] masterKey = new byte[32];
  private final BackupService backups;
  IdentityStore identities;
  private HttpServer http;
  private int port;
  String endpoint;
  final IdentityStore.NewKey root;

  ClockedIamServer() throws Exception {
    new SecureRandom().nextBytes(masterKey);
    db = new Database(RocksStorage.inMemory(), this::now, false, "us-east-1", ACCOUNT);
    backups =
        new BackupService(
            db,
            new BackupRepository(new MemoryObjectStore(), SymmetricKey.random()),
            Files.createTempDirectory("tidemark-roles-scratch"));
    start();
    root = identities.createRootKey();
  }

  long now() {
    return System.currentTimeMillis() + offset.get();
  }

  private void start() throws Exception {
    identities = new IdentityStore(db.storage(), ACCOUNT, new SecretSealer(masterKey), this::now);
    AccessControl gate = AccessControl.forTables(identities, db.catalog(), "us-east-1", this::now);
    http =
        new HttpServer(
            DynamoApi.operations(
                db, backups, new PitrService(db, backups, PitrService.Config.defaults())),
            RequestIds::next,
            gate,
            HttpServer.Limits.defaults().withDrainTimeout(Duration.ofMillis(100)));
    http.addFront(new QueryApiHandler(IamApi.actions(identities), gate, RequestIds::next));
    // A restart listens where the clients already point.
    port = http.start("127.0.0.1", port);
    endpoint = "http://127.0.0.1:" + port;
  }

  /** Stops serving and starts again over the same storage: nothing in memory survives. */
  void restart() throws Exception {
    http.close();
    start();
  }

  IamClient iam(AwsCredentials credentials) {
    return client(IamClient.builder(), Region.AWS_GLOBAL, credentials);
  }

  StsClient sts(AwsCredentials credentials) {
    return client(StsClient.builder(), Region.US_EAST_1, credentials);
  }

  DynamoDbClient dynamo(AwsCredentials credentials) {
    return client(DynamoDbClient.builder(), Region.US_EAST_1, credentials);
  }

  /** An SDK client of this server that signs with {@code credentials} and never retries. */
  private <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C client(
      B builder, Region region, AwsCredentials credentials) {
    return builder
        .endpointOverride(URI.create(endpoint))
        .region(region)
        .credentialsProvider(StaticCredentialsProvider.create(credentials))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  @Override
  public void close() {
    http.close();
    backups.close();
    db.close();
  }
}
