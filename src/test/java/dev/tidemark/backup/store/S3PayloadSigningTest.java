package dev.tidemark.backup.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.testkit.FaultProxy;
import dev.tidemark.testkit.S3ProxyServer;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Protects the integrity rule of the S3 store's uploads (S3PayloadSigning): only objects whose
 * format authenticates itself (data objects, manifests, PITR segments and state) go with {@code
 * UNSIGNED-PAYLOAD}; key material and everything else keeps a signed body even over plain HTTP. The
 * same objects are read without, the others with, the service's checksum validated. The headers are
 * read on the wire, through a proxy between the store and S3Proxy, and the objects must still read
 * back intact.
 */
class S3PayloadSigningTest {
  private static S3ProxyServer server;
  private static FaultProxy proxy;

  @BeforeAll
  static void start() throws Exception {
    server = S3ProxyServer.shared();
    proxy = new FaultProxy(server.port());
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
  }

  @Test
  void onlySealedObjectsAreSentUnsigned() throws Exception {
    Map<String, String> contentSha = new ConcurrentHashMap<>();
    Map<String, String> checksumMode = new ConcurrentHashMap<>();
    proxy.rule(
        r -> {
          String path = r.target().contains("?") ? r.target().split("\\?")[0] : r.target();
          String name = path.substring(path.indexOf("/signing/") + "/signing/".length());
          if (r.isPut()) {
            contentSha.merge(
                name, String.valueOf(r.header("x-amz-content-sha256")), (a, b) -> a + "," + b);
          } else if (r.isGet() && !r.target().contains("list-type")) {
            checksumMode.put(name, String.valueOf(r.header("x-amz-checksum-mode")));
          }
          return FaultProxy.PASS;
        });
    byte[] big = new byte[S3StoreConfig.MIN_PART_SIZE + 1000];
    new Random(7).nextBytes(big);
    Map<String, byte[]> objects =
        Map.of(
            "tables/t1/data/c1", "data".getBytes(),
            "manifests/t1/b1", "manifest".getBytes(),
            "pitr/u1/seg/0001", "segment".getBytes(),
            "pitr/u1/state/0001", "state".getBytes(),
            "tables/t1/key", "wrapped key".getBytes(),
            "keys/master/m1", "{}".getBytes(),
            "pitr/u1/progress/0001", new byte[0],
            "tables/t1/data/big", big);
    try (S3ObjectStore store =
        S3ObjectStore.open(
            server.storeConfig(server.newBucket(), "signing", proxy.endpoint()).toBuilder()
                .partSize(S3StoreConfig.MIN_PART_SIZE)
                .build())) {
      for (var e : objects.entrySet()) {
        store.put(e.getKey(), e.getValue());
      }
      for (var e : objects.entrySet()) {
        assertThat(store.getBytes(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
      }
    } finally {
      proxy.heal();
    }
    for (String sealed :
        new String[] {
          "tables/t1/data/c1", "manifests/t1/b1", "pitr/u1/seg/0001", "pitr/u1/state/0001"
        }) {
      assertThat(contentSha.get(sealed)).as(sealed).isEqualTo("UNSIGNED-PAYLOAD");
      // Read back without asking for the service's checksum: the format authenticates it.
      assertThat(checksumMode.get(sealed)).as(sealed).isEqualTo("null");
    }
    // Both parts of the multipart upload.
    assertThat(contentSha.get("tables/t1/data/big")).isEqualTo("UNSIGNED-PAYLOAD,UNSIGNED-PAYLOAD");
    for (String signed :
        new String[] {"tables/t1/key", "keys/master/m1", "pitr/u1/progress/0001"}) {
      assertThat(contentSha.get(signed))
          .as(signed)
          .isNotNull()
          .isNotEqualTo("null")
          .doesNotContain("UNSIGNED");
      assertThat(checksumMode.get(signed)).as(signed).isEqualTo("ENABLED");
    }
  }

  @Test
  void sealedNamesAreExactlyTheLayoutsEncryptedObjects() {
    assertThat(S3PayloadSigning.isSealed("tables/t1/data/abc")).isTrue();
    assertThat(S3PayloadSigning.isSealed("manifests/t1/b1")).isTrue();
    assertThat(S3PayloadSigning.isSealed("pitr/u1/seg/x")).isTrue();
    assertThat(S3PayloadSigning.isSealed("pitr/u1/state/x")).isTrue();
    assertThat(S3PayloadSigning.isSealed("tables/t1/key")).isFalse();
    assertThat(S3PayloadSigning.isSealed("tables/t1/rewrapped/k")).isFalse();
    assertThat(S3PayloadSigning.isSealed("pitr/u1/progress/1")).isFalse();
    assertThat(S3PayloadSigning.isSealed("keys/passphrase/a")).isFalse();
    assertThat(S3PayloadSigning.isSealed("manifests")).isFalse();
    assertThat(S3PayloadSigning.isSealed("data")).isFalse();
  }
}
