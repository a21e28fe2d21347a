package dev.tidemark.backup.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.metrics.ServerMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Protects the backup-store error counter behind {@code tidemark_backup_store_errors_total}: every
 * failed request is counted under its operation and passed on unchanged, answers of the protocol
 * (no such object, a lost conditional write) are not counted, and a working store passes objects
 * through untouched.
 */
class CountingObjectStoreTest {

  /** A store whose every request fails, as a store with revoked credentials does. */
  private static final class BrokenStore implements ObjectStore {
    @Override
    public PendingObject create(String name) throws IOException {
      throw new IOException("create refused");
    }

    @Override
    public InputStream get(String name) throws IOException {
      throw new NoSuchObjectException(name);
    }

    @Override
    public OptionalLong size(String name) throws IOException {
      throw new IOException("size refused");
    }

    @Override
    public List<String> list(String prefix) {
      throw new IllegalStateException("list refused");
    }

    @Override
    public boolean delete(String name) throws IOException {
      throw new IOException("delete refused");
    }
  }

  @Test
  void countsFailuresByOperationAndPassesThemOnUnchanged() throws Exception {
    StoreErrors errors = new StoreErrors("backup");
    ObjectStore store = new CountingObjectStore(new BrokenStore(), errors);

    assertThatThrownBy(() -> store.create("a/b")).hasMessage("create refused");
    assertThatThrownBy(() -> store.size("a/b")).hasMessage("size refused");
    assertThatThrownBy(() -> store.size("a/b")).hasMessage("size refused");
    assertThatThrownBy(() -> store.list("a/"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("list refused");
    assertThatThrownBy(() -> store.delete("a/b")).hasMessage("delete refused");
    // A missing object is an answer, not a failure.
    assertThatThrownBy(() -> store.get("a/b")).isInstanceOf(NoSuchObjectException.class);

    assertThat(errors.count("create")).isEqualTo(1);
    assertThat(errors.count("size")).isEqualTo(2);
    assertThat(errors.count("list")).isEqualTo(1);
    assertThat(errors.count("delete")).isEqualTo(1);
    assertThat(errors.count("get")).isZero();

    try (ServerMetrics metrics = new ServerMetrics(System::currentTimeMillis)) {
      metrics.bindStoreErrors(errors);
      String text = metrics.scrape("text/plain");
      assertThat(text)
          .contains(
              "tidemark_backup_store_errors_total{operation=\"size\",service=\"tidemark\","
                  + "store=\"backup\"} 2.0")
          .contains(
              "tidemark_backup_store_errors_total{operation=\"get\",service=\"tidemark\","
                  + "store=\"backup\"} 0.0");
    }
  }

  @Test
  void passesAWorkingStoresObjectsThrough() throws Exception {
    StoreErrors errors = new StoreErrors("backup");
    ObjectStore store = new CountingObjectStore(new MemoryObjectStore(), errors);
    store.put("x/one", new byte[] {1, 2, 3});
    assertThat(store.getBytes("x/one")).containsExactly(1, 2, 3);
    assertThat(store.list("x/")).containsExactly("x/one");
    assertThat(store.size("x/one")).hasValue(3);
    assertThatThrownBy(() -> store.put("x/one", new byte[] {4}))
        .isInstanceOf(ObjectAlreadyExistsException.class);
    assertThat(store.delete("x/one")).isTrue();
    for (String op : StoreErrors.OPERATIONS) {
      assertThat(errors.count(op)).as(op).isZero();
    }
  }

  // The server wraps its stores in this counter, so the wrapper must hand sizes() to the wrapped
  // store: S3 answers it with one listing, the interface's default with a HEAD per object.
  @Test
  void sizesUseTheWrappedStoresOwnListing() throws Exception {
    java.util.concurrent.atomic.AtomicInteger sizeCalls =
        new java.util.concurrent.atomic.AtomicInteger();
    MemoryObjectStore memory = new MemoryObjectStore();
    ObjectStore listing =
        new ObjectStore() {
          @Override
          public PendingObject create(String name) throws IOException {
            return memory.create(name);
          }

          @Override
          public InputStream get(String name) throws IOException {
            return memory.get(name);
          }

          @Override
          public OptionalLong size(String name) {
            sizeCalls.incrementAndGet();
            return memory.size(name);
          }

          @Override
          public List<String> list(String prefix) {
            return memory.list(prefix);
          }

          @Override
          public java.util.Map<String, Long> sizes(String prefix) {
            return java.util.Map.of("x/one", 3L);
          }

          @Override
          public boolean delete(String name) {
            return memory.delete(name);
          }
        };
    ObjectStore store = new CountingObjectStore(listing, new StoreErrors("backup"));
    store.put("x/one", new byte[] {1, 2, 3});
    sizeCalls.set(0);
    assertThat(store.sizes("x/")).containsExactly(java.util.Map.entry("x/one", 3L));
    assertThat(sizeCalls).hasValue(0);
  }
}
