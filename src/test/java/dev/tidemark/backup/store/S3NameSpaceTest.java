package dev.tidemark.backup.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.testkit.FaultProxy;
import dev.tidemark.testkit.S3ProxyServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Protects the S3 store's name-conflict refusal now that it asks the service once per directory
 * (S3NameSpace) instead of once per write: names written by an earlier process are still refused, a
 * deleted child frees its parent's name, and writing many objects into one directory costs one
 * listing and one HEAD per parent, not a listing per object.
 */
class S3NameSpaceTest {
  private static S3ProxyServer server;
  private static FaultProxy proxy;
  private static String bucket;
  private static int stores;

  @BeforeAll
  static void start() throws Exception {
    server = S3ProxyServer.shared();
    bucket = server.newBucket();
    proxy = new FaultProxy(server.port());
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
  }

  private static S3StoreConfig fresh() {
    return server.storeConfig(bucket, "names-" + ++stores, proxy.endpoint());
  }

  @Test
  void namesAnEarlierProcessWroteAreRefused() throws Exception {
    S3StoreConfig config = fresh();
    try (S3ObjectStore first = S3ObjectStore.open(config)) {
      first.put("a/b", new byte[] {1});
      first.put("c", new byte[] {2});
    }
    try (S3ObjectStore second = S3ObjectStore.open(config)) {
      assertThatThrownBy(() -> second.put("a", new byte[] {3}))
          .isInstanceOf(ObjectNameConflictException.class);
      assertThatThrownBy(() -> second.put("c/d", new byte[] {4}))
          .isInstanceOf(ObjectNameConflictException.class);
      assertThatThrownBy(() -> second.put("a/b/e", new byte[] {5}))
          .isInstanceOf(ObjectNameConflictException.class);
      assertThat(second.list("")).containsExactly("a/b", "c");
    }
  }

  @Test
  void deletingTheLastChildFreesTheName() throws Exception {
    try (S3ObjectStore s = S3ObjectStore.open(fresh())) {
      s.put("x/y/z", new byte[] {1});
      s.put("x/w", new byte[] {1});
      assertThatThrownBy(() -> s.put("x/y", new byte[] {2}))
          .isInstanceOf(ObjectNameConflictException.class);
      assertThat(s.delete("x/y/z")).isTrue();
      s.put("x/y", new byte[] {3});
      assertThat(s.getBytes("x/y")).containsExactly(3);
      // x still has a child, so it stays a directory.
      assertThatThrownBy(() -> s.put("x", new byte[] {4}))
          .isInstanceOf(ObjectNameConflictException.class);
      assertThatThrownBy(() -> s.put("x/y/q", new byte[] {5}))
          .isInstanceOf(ObjectNameConflictException.class);
    }
  }

  @Test
  void oneDirectoryIsSurveyedOncePerProcess() throws Exception {
    try (S3ObjectStore s = S3ObjectStore.open(fresh())) {
      List<String> requests = new CopyOnWriteArrayList<>();
      proxy.rule(
          r -> {
            requests.add(r.method() + " " + r.target());
            return FaultProxy.PASS;
          });
      try {
        for (int i = 0; i < 20; i++) {
          s.put("tables/t/data/object-" + i, new byte[] {(byte) i});
        }
      } finally {
        proxy.heal();
      }
      assertThat(requests.stream().filter(r -> r.startsWith("PUT "))).hasSize(20);
      assertThat(requests.stream().filter(r -> r.contains("list-type=2")))
          .singleElement()
          .asString()
          .contains("delimiter=%2F");
      // tables, tables/t and tables/t/data, each asked once.
      assertThat(requests.stream().filter(r -> r.startsWith("HEAD "))).hasSize(3);
      assertThat(requests).hasSize(24);
    }
  }
}
