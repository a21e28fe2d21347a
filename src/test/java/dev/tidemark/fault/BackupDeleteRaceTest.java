package dev.tidemark.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tidemark.backup.BackupLayout;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.FaultyObjectStore;
import dev.tidemark.backup.store.MemoryObjectStore;
import dev.tidemark.pitr.PitrService;
import dev.tidemark.testkit.AssembledServer;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.BackupInUseException;
import software.amazon.awssdk.services.dynamodb.model.BackupNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.BackupStatus;
import software.amazon.awssdk.services.dynamodb.model.DeleteBackupResponse;

/**
 * DeleteBackup racing the backup's own lifecycle, made deterministic by holding the store's
 * manifest put or delete at a gate (no sleeps): a backup still CREATING answers BackupInUse, the
 * loser of two concurrent deletes and a delete of a backup whose manifest vanished from the store
 * answer BackupNotFound. Regression for HostileInputFuzzTest seed 3179033447646, where the loser of
 * two concurrent deletes reached the store after the winner and answered HTTP 500.
 */
class BackupDeleteRaceTest extends FaultTestBase {
  @TempDir Path dir;
  private MemoryObjectStore memory;
  private FaultyObjectStore store;
  private AssembledServer server;
  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @BeforeEach
  void start() throws Exception {
    memory = new MemoryObjectStore();
    store = new FaultyObjectStore(memory);
    server =
        AssembledServer.start(
            store, SymmetricKey.random(), dir.resolve("scratch"), PitrService.Config.defaults());
    c = server.client;
    createTable();
    put("a", "1");
  }

  @AfterEach
  void stop() {
    store.heal();
    pool.shutdownNow();
    server.close();
  }

  // Protects the loser of two concurrent DeleteBackups: it answers BackupNotFound at once (never
  // a 500, never waiting on the winner), the winner answers DELETED, and the backup is gone.
  @Test
  void concurrentDeletesOneWinsTheOtherFindsNothing() throws Exception {
    String arn = availableBackup("victim");
    FaultyObjectStore.Hold hold = new FaultyObjectStore.Hold();
    store.holdDeletes(n -> n.startsWith(BackupLayout.MANIFESTS), hold);
    Future<DeleteBackupResponse> first = pool.submit(() -> c.deleteBackup(r -> r.backupArn(arn)));
    try {
      assertThat(hold.awaitHeld()).as("the first delete reached the store").isTrue();
      // The bound only keeps a regression from hanging the build; the fixed loser waits on nothing.
      Future<BackupNotFoundException> second =
          pool.submit(
              () ->
                  catchThrowableOfType(
                      BackupNotFoundException.class, () -> c.deleteBackup(r -> r.backupArn(arn))));
      BackupNotFoundException lost = second.get(1, TimeUnit.MINUTES);
      assertThat(lost).as("the concurrent delete answers BackupNotFound").isNotNull();
      assertThat(lost.getMessage()).contains("Backup not found: " + arn);
    } finally {
      hold.release();
    }
    assertThat(first.get(1, TimeUnit.MINUTES).backupDescription().backupDetails().backupStatus())
        .isEqualTo(BackupStatus.DELETED);
    assertThat(listed(arn)).isFalse();
    assertThat(
            catchThrowableOfType(
                BackupNotFoundException.class, () -> c.deleteBackup(r -> r.backupArn(arn))))
        .as("deleting it again")
        .isNotNull();
  }

  // Protects DeleteBackup of a backup still CREATING (its manifest not yet written): BackupInUse,
  // and the backup completes and is deletable afterwards.
  @Test
  void deletingABackupStillCreatingIsBackupInUse() throws Exception {
    FaultyObjectStore.Hold hold = new FaultyObjectStore.Hold();
    store.holdPuts(n -> n.startsWith(BackupLayout.MANIFESTS), hold);
    String arn =
        c.createBackup(r -> r.tableName(TABLE).backupName("creating")).backupDetails().backupArn();
    try {
      assertThat(hold.awaitHeld()).as("the backup is writing its manifest").isTrue();
      BackupInUseException inUse =
          catchThrowableOfType(
              BackupInUseException.class, () -> c.deleteBackup(r -> r.backupArn(arn)));
      assertThat(inUse).isNotNull();
      assertThat(inUse.getMessage()).contains("Backup is being created");
    } finally {
      hold.release();
    }
    assertThat(settle(arn)).isEqualTo(BackupStatus.AVAILABLE);
    assertThat(
            c.deleteBackup(r -> r.backupArn(arn))
                .backupDescription()
                .backupDetails()
                .backupStatus())
        .isEqualTo(BackupStatus.DELETED);
  }

  // Protects DeleteBackup of a backup whose manifest left the store behind the server's back
  // (another tool, a lifecycle rule): BackupNotFound, not a 500, and it leaves the catalog.
  @Test
  void manifestGoneFromTheStoreIsBackupNotFound() throws Exception {
    String arn = availableBackup("vanished");
    String manifest =
        memory.list(BackupLayout.MANIFESTS).stream()
            .filter(n -> arn.endsWith(tail(n)))
            .findFirst()
            .orElseThrow();
    memory.delete(manifest);
    assertThat(
            catchThrowableOfType(
                BackupNotFoundException.class, () -> c.deleteBackup(r -> r.backupArn(arn))))
        .isNotNull();
    assertThat(listed(arn)).isFalse();
  }

  private static String tail(String name) {
    return name.substring(name.lastIndexOf('/'));
  }
}
