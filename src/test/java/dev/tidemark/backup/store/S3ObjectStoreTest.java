package dev.tidemark.backup.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.testkit.FaultProxy;
import dev.tidemark.testkit.S3ProxyServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The store contract against a real S3 server (S3Proxy, started by the test), plus what only S3
 * has: multipart uploads that stay invisible until completed, aborted uploads that leave no parts,
 * a probe that refuses services which ignore {@code If-None-Match}, and a prefix that keeps two
 * stores in one bucket apart.
 */
class S3ObjectStoreTest extends ObjectStoreContract {
  private static S3ProxyServer server;
  private static String bucket;
  private static int stores;
  private final List<S3ObjectStore> opened = new ArrayList<>();

  @BeforeAll
  static void startServer() throws Exception {
    server = S3ProxyServer.shared();
    bucket = server.newBucket();
  }

  @AfterEach
  void closeStores() {
    opened.forEach(S3ObjectStore::close);
  }

  private S3ObjectStore open(S3StoreConfig config) throws IOException {
    S3ObjectStore s = S3ObjectStore.open(config);
    opened.add(s);
    return s;
  }

  /** Each test gets its own prefix in the shared bucket, so it starts empty. */
  @Override
  ObjectStore store() throws IOException {
    return open(server.storeConfig(bucket, "contract-" + ++stores + "/backups"));
  }

  private S3ObjectStore multipartStore(String prefix) throws IOException {
    return open(
        server.storeConfig(bucket, prefix).toBuilder()
            .partSize(S3StoreConfig.MIN_PART_SIZE)
            .build());
  }

  private List<String> rawKeys(String prefix) {
    try (S3Client c = server.client()) {
      return c.listObjectsV2(r -> r.bucket(bucket).prefix(prefix)).contents().stream()
          .map(S3Object::key)
          .toList();
    }
  }

  // Protects multipart uploads: an object larger than a part arrives intact, is invisible until
  // committed, and a second, different upload of the name is refused at completion.
  @Test
  void multipartObjectsAreWholeAndImmutable() throws IOException {
    S3ObjectStore s = multipartStore("mp-1");
    byte[] big = new byte[2 * S3StoreConfig.MIN_PART_SIZE + 12345];
    new Random(7).nextBytes(big);
    try (PendingObject p = s.create("tables/t/data/big")) {
      p.write(big);
      assertThat(s.exists("tables/t/data/big")).as("invisible before commit").isFalse();
      p.commit();
    }
    assertThat(s.getBytes("tables/t/data/big")).isEqualTo(big);
    s.put("tables/t/data/big", new ByteArrayInputStream(big)); // identical: a no-op
    byte[] other = big.clone();
    other[other.length - 1] ^= 1;
    assertThatThrownBy(() -> s.put("tables/t/data/big", new ByteArrayInputStream(other)))
        .isInstanceOf(ObjectAlreadyExistsException.class);
    assertThat(s.getBytes("tables/t/data/big")).isEqualTo(big);
  }

  // Protects "never half-written": an upload abandoned after some parts were sent leaves neither
  // an object nor an unfinished multipart upload behind.
  @Test
  void abandonedMultipartUploadLeavesNothing() throws IOException {
    S3ObjectStore s = multipartStore("mp-2");
    try (PendingObject p = s.create("seg/1")) {
      p.write(new byte[S3StoreConfig.MIN_PART_SIZE + 1]); // the first part has gone out
    }
    assertThat(s.list("")).isEmpty();
    try (S3Client c = server.client()) {
      assertThat(c.listMultipartUploads(r -> r.bucket(bucket).prefix("mp-2/")).uploads()).isEmpty();
    }
  }

  // Protects the prefix: two stores in one bucket see only their own objects, and the keys in the
  // bucket are exactly prefix + name.
  @Test
  void prefixesKeepStoresApart() throws IOException {
    S3ObjectStore a = open(server.storeConfig(bucket, "tenant-a"));
    S3ObjectStore b = open(server.storeConfig(bucket, "tenant-b/"));
    a.put("manifests/1", "a".getBytes(UTF_8));
    b.put("manifests/1", "b".getBytes(UTF_8));
    assertThat(a.list("")).containsExactly("manifests/1");
    assertThat(a.getBytes("manifests/1")).asString(UTF_8).isEqualTo("a");
    assertThat(rawKeys("tenant-")).containsExactly("tenant-a/manifests/1", "tenant-b/manifests/1");
  }

  // Protects the probe's cleanliness: opening a store (which probes) leaves no key behind, and a
  // stray key that is not an object name is never listed.
  @Test
  void probeLeavesNothingAndForeignKeysAreNotListed() throws IOException {
    S3ObjectStore s = open(server.storeConfig(bucket, "probed"));
    assertThat(rawKeys("probed/")).isEmpty();
    try (S3Client c = server.client()) {
      c.putObject(
          r -> r.bucket(bucket).key("probed/.hidden"),
          software.amazon.awssdk.core.sync.RequestBody.fromString("x"));
      c.putObject(
          r -> r.bucket(bucket).key("probed/with space"),
          software.amazon.awssdk.core.sync.RequestBody.fromString("x"));
    }
    s.put("real", new byte[] {1});
    assertThat(s.list("")).containsExactly("real");
  }

  // Protects a running server from `tidemark backup list`: a store opened for reading neither
  // probes (no write access needed) nor aborts unfinished uploads, which may be the server's.
  @Test
  void readersDoNotDisturbUploadsInProgress() throws IOException {
    S3ObjectStore owner = multipartStore("shared");
    try (PendingObject p = owner.create("tables/t/data/x")) {
      p.write(new byte[S3StoreConfig.MIN_PART_SIZE + 1]); // a multipart upload is open
      try (S3ObjectStore reader =
          S3ObjectStore.openForReading(server.storeConfig(bucket, "shared"))) {
        assertThat(reader.list("")).isEmpty();
      }
      p.commit();
    }
    assertThat(owner.size("tables/t/data/x")).hasValue(S3StoreConfig.MIN_PART_SIZE + 1);
    assertThat(rawKeys("shared/")).containsExactly("shared/tables/t/data/x");
  }

  // Protects the retry policy: every failing request (5xx, throttling or not) gets exactly the
  // configured attempts, from the first failure to the hundredth. The SDK's default of 3 attempts,
  // or its retry token bucket (which, drained by a store failing for a while, stops retrying
  // altogether), would leave the backups and the PITR archive fewer chances than configured.
  @Test
  void everyFailingRequestGetsTheConfiguredAttempts() throws Exception {
    try (FaultProxy proxy = new FaultProxy(server.port())) {
      S3ObjectStore s =
          open(
              server.storeConfig(bucket, "retries", proxy.endpoint()).toBuilder()
                  .retries(5, Duration.ofMillis(2))
                  .build());
      AtomicInteger attempts = new AtomicInteger();
      for (int call = 1; call <= 40; call++) {
        int status = call % 2 == 0 ? 503 : 500;
        proxy.rule(
            r -> {
              if (r.pathContains("/retries/failing")) {
                attempts.incrementAndGet();
                return new FaultProxy.Answer(status, status == 503 ? "SlowDown" : "InternalError");
              }
              return FaultProxy.PASS;
            });
        attempts.set(0);
        assertThatThrownBy(() -> s.getBytes("failing"))
            .isInstanceOf(IOException.class)
            .hasMessageContaining(Integer.toString(status));
        assertThat(attempts.get()).as("attempts of failing request %d", call).isEqualTo(5);
      }
    }
  }

  // Protects the start-up refusal: a bucket that does not exist is named in a clear error.
  @Test
  void missingBucketIsAClearError() {
    assertThatThrownBy(() -> open(server.storeConfig("no-such-bucket-here", "")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no-such-bucket-here")
        .hasMessageContaining("does not exist");
  }
}
