package dev.tidemark.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tidemark.backup.BackupRecord;
import dev.tidemark.backup.BackupRepository;
import dev.tidemark.backup.DataObjectRef;
import dev.tidemark.backup.Manifest;
import dev.tidemark.backup.VerifyResult;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.FaultyObjectStore;
import dev.tidemark.backup.store.MemoryObjectStore;
import dev.tidemark.pitr.PitrService;
import dev.tidemark.testkit.AssembledServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BackupNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.BackupStatus;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.InvalidRestoreTimeException;

/**
 * The backup store misbehaving under a running server: puts that fail, slow puts, a full disk,
 * objects the store acknowledges and then loses, and objects corrupted at rest (a flipped byte, a
 * truncation, a deletion, the wrong master key). The server keeps serving; CreateBackup fails
 * cleanly and DescribeBackup and ListBackups tell the truth; the PITR archiver stops claiming
 * progress while it cannot archive and catches up with no gap after; verify and restore name the
 * damaged object, and a failed restore leaves no table (I4, I7).
 */
class BackupStoreFaultTest extends FaultTestBase {
  @TempDir Path dir;
  private MemoryObjectStore memory;
  private FaultyObjectStore store;
  private SymmetricKey key;
  private AssembledServer server;
  private final long seed = Long.getLong("fault.seed", System.nanoTime());

  @BeforeEach
  void start() throws Exception {
    System.out.println("BackupStoreFaultTest seed=" + seed);
    random = new Random(seed);
    memory = new MemoryObjectStore();
    store = new FaultyObjectStore(memory);
    key = SymmetricKey.random();
    server =
        AssembledServer.start(store, key, dir.resolve("scratch"), PitrService.Config.defaults());
    c = server.client;
    createTable();
  }

  @AfterEach
  void stop() {
    store.heal();
    server.close();
  }

  // ---- failing, slow and full stores ------------------------------------------------------

  // Protects serving and honest reporting while the store refuses every put: writes and reads go
  // on, the backup never shows AVAILABLE, PITR's latest restorable time stops, and after the store
  // heals the archive catches up with no gap (restores inside and after the outage are exact).
  @Test
  void failingStoreKeepsServingAndPitrCatchesUpWithNoGap() throws Exception {
    writes(60, "a");
    c.updateContinuousBackups(
        r ->
            r.tableName(TABLE)
                .pointInTimeRecoverySpecification(p -> p.pointInTimeRecoveryEnabled(true)));
    awaitPitrBase(server.backups); // else the outage may fail the base, and the window start later
    awaitRestorable(Instant.now());

    store.failPuts(name -> true);
    writes(40, "b");
    Instant firstAcked = Instant.now();
    writes(40, "c");
    Thread.sleep(3);
    Instant mid = Instant.now();
    Map<String, String> atMid = scan(TABLE);
    Thread.sleep(3);
    writes(40, "d");
    assertThat(
            c.getItem(r -> r.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS("zz"))))
                .hasItem())
        .isFalse();

    String arn =
        c.createBackup(r -> r.tableName(TABLE).backupName("during-outage"))
            .backupDetails()
            .backupArn();
    assertThat(settle(arn)).as("a backup the store refused does not exist").isNull();
    assertThat(listed(arn)).isFalse();
    assertThat(
            catchThrowableOfType(
                BackupNotFoundException.class, () -> c.describeBackup(r -> r.backupArn(arn))))
        .isNotNull();

    Instant stalled = latestRestorable();
    assertThat(stalled)
        .as("PITR does not claim the writes it could not archive")
        .isBefore(firstAcked);
    Thread.sleep(1500); // several archiver passes, all failing
    assertThat(latestRestorable()).as("no progress while the store fails").isEqualTo(stalled);
    // Said once, with the cause, not once per failing pass (five a second).
    assertThat(logText().split("PITR archiving of table " + TABLE + " fails", -1)).hasSize(2);
    assertThat(logText()).contains("injected put failure");

    store.heal();
    assertPitrCaughtUp(mid, atMid);
    assertThat(availableBackup("after-outage")).isNotNull();
  }

  // Protects PITR against its first base snapshot failing (the store refused it while PITR was
  // being enabled): the window must not offer instants no base covers; once the store takes objects
  // again a new base is taken, the window starts at it, and restores from then on are exact.
  @Test
  void failedPitrBaseIsRetakenAndTheWindowStartsAtTheNewOne() throws Exception {
    writes(60, "a");
    String uuid = c.describeTable(r -> r.tableName(TABLE)).table().tableId();
    store.failPuts(name -> name.contains("/data/"));
    c.updateContinuousBackups(
        r ->
            r.tableName(TABLE)
                .pointInTimeRecoverySpecification(p -> p.pointInTimeRecoveryEnabled(true)));
    for (int i = 0; i < 1500 && !server.backups.bases(uuid).isEmpty(); i++) {
      Thread.sleep(10);
    }
    assertThat(server.backups.bases(uuid)).as("the first base failed").isEmpty();
    Instant failed = Instant.now();
    writes(40, "b");

    store.heal();
    awaitPitrBase(server.backups);
    writes(40, "c");
    Instant inside = Instant.now();
    Map<String, String> atInside = scan(TABLE);
    Thread.sleep(3);
    writes(20, "d");
    awaitRestorable(Instant.now());
    Instant earliest =
        c.describeContinuousBackups(r -> r.tableName(TABLE))
            .continuousBackupsDescription()
            .pointInTimeRecoveryDescription()
            .earliestRestorableDateTime();
    assertThat(earliest).as("the window starts at the retaken base").isAfter(failed);
    assertThat(logText()).contains("has no base snapshot (the last one failed)");
    assertThatThrownBy(
            () ->
                c.restoreTableToPointInTime(
                    r ->
                        r.sourceTableName(TABLE)
                            .targetTableName("before_base")
                            .restoreDateTime(failed)))
        .isInstanceOf(InvalidRestoreTimeException.class);
    Map<String, String> now = scan(TABLE);
    c.restoreTableToPointInTime(
        r -> r.sourceTableName(TABLE).targetTableName("latest").useLatestRestorableTime(true));
    c.restoreTableToPointInTime(
        r -> r.sourceTableName(TABLE).targetTableName("inside").restoreDateTime(inside));
    awaitActive("latest");
    awaitActive("inside");
    assertThat(scan("latest")).isEqualTo(now);
    assertThat(scan("inside")).isEqualTo(atInside);
  }

  // Protects clean failure on a full disk: the backup is discarded, its partial objects removed,
  // the server serves on, and once space is back a backup succeeds and restores exactly.
  @Test
  void fullDiskFailsTheBackupCleanly() throws Exception {
    writes(200, "a");
    store.diskFullAfter(20_000);
    String arn =
        c.createBackup(r -> r.tableName(TABLE).backupName("disk-full")).backupDetails().backupArn();
    assertThat(settle(arn)).isNull();
    assertThat(listed(arn)).isFalse();
    writes(20, "b"); // the table lives on
    String tableId = c.describeTable(r -> r.tableName(TABLE)).table().tableId();
    assertThat(memory.list("tables/" + tableId + "/data/"))
        .as("no partial data objects are left behind")
        .isEmpty();
    assertThat(logText()).contains("No space left on device");

    store.heal();
    Map<String, String> before = scan(TABLE);
    String good = availableBackup("after-space");
    c.restoreTableFromBackup(r -> r.backupArn(good).targetTableName("from_good"));
    awaitActive("from_good");
    assertThat(scan("from_good")).isEqualTo(before);
  }

  // Protects availability with a slow store: writes and reads proceed while a backup uploads
  // slowly, and the backup is the table as of its request, not of its completion.
  @Test
  void slowStoreDoesNotHoldUpWritesAndTheBackupIsItsInstant() throws Exception {
    writes(150, "a");
    Map<String, String> atBackup = scan(TABLE);
    store.slowPuts(Duration.ofMillis(150));
    String arn =
        c.createBackup(r -> r.tableName(TABLE).backupName("slow")).backupDetails().backupArn();
    int served = 0;
    while (c.describeBackup(r -> r.backupArn(arn))
            .backupDescription()
            .backupDetails()
            .backupStatus()
        == BackupStatus.CREATING) {
      writes(5, "during");
      served += 5;
      if (served > 2000) {
        break;
      }
    }
    assertThat(served).as("writes were served while the backup uploaded").isPositive();
    assertThat(settle(arn)).isEqualTo(BackupStatus.AVAILABLE);
    store.heal();
    c.restoreTableFromBackup(r -> r.backupArn(arn).targetTableName("from_slow"));
    awaitActive("from_slow");
    assertThat(scan("from_slow")).isEqualTo(atBackup);
  }

  // ---- lost and corrupted objects ---------------------------------------------------------

  private Manifest manifestOf(String arn) throws Exception {
    BackupRecord record = server.backups.find(arn).orElseThrow();
    return server.backups.repository().readManifest(record.manifestName());
  }

  /** Restores and expects failure naming {@code object}; no table may remain. */
  private void restoreFails(String arn, String target, String object) throws Exception {
    Set<Long> spaces = Set.copyOf(server.db.storage().tableSpaces());
    log.list.clear();
    String refusal = null;
    try {
      c.restoreTableFromBackup(r -> r.backupArn(arn).targetTableName(target));
    } catch (DynamoDbException e) {
      refusal = e.awsErrorDetails().errorMessage();
    }
    if (refusal == null) {
      // Accepted: the damage is found while streaming, which drops the CREATING table.
      assertThat(server.backups.awaitIdle(60_000)).isTrue();
      assertThat(logText()).as("the log names the damaged object").contains(object);
    } else {
      assertThat(refusal).as("the refusal names the damaged object").contains(object);
    }
    assertThat(tableExists(target)).as("a failed restore leaves no table").isFalse();
    assertThat(server.db.storage().tableSpaces()).as("and no storage").isEqualTo(spaces);
  }

  // Protects I7 against a store that acknowledges and then loses objects: the backup looks
  // AVAILABLE, but verify and restore both name each missing object, and no table is created.
  @Test
  void objectsLostAfterWriteAreFoundByVerifyAndRestore() throws Exception {
    writes(300, "a");
    store.loseWrites(name -> name.contains("/data/"));
    String arn = availableBackup("lossy");
    store.heal();
    Manifest m = manifestOf(arn);
    assertThat(m.objects()).isNotEmpty();
    VerifyResult result = server.backups.verify(server.backups.find(arn).orElseThrow());
    assertThat(result.ok()).isFalse();
    for (DataObjectRef ref : m.objects()) {
      assertThat(result.problems())
          .anyMatch(
              p -> p.objectName().equals(ref.name()) && p.kind() == VerifyResult.Kind.MISSING);
    }
    restoreFails(arn, "from_lossy", m.objects().get(0).name());
  }

  // Protects I7 against damage at rest: a flipped byte, a truncated object and a deleted object
  // are each named by verify with their kind and by the restore, which creates no table.
  @Test
  void corruptedObjectsAreFoundByVerifyAndRestore() throws Exception {
    writes(400, "a");
    String arn = availableBackup("to-damage");
    Manifest m = manifestOf(arn);
    BackupRecord record = server.backups.find(arn).orElseThrow();
    Map<String, UnaryOperator<byte[]>> damages =
        Map.of(
            "flipped byte",
            b -> {
              byte[] d = b.clone();
              d[random.nextInt(d.length)] ^= (byte) (1 << random.nextInt(8));
              return d;
            },
            "truncated",
            b -> Arrays.copyOf(b, random.nextInt(b.length)),
            "deleted",
            b -> null);
    Map<String, List<VerifyResult.Kind>> expected =
        Map.of(
            // A flip in the header can also read as another key or an unreadable format.
            "flipped byte",
            List.of(
                VerifyResult.Kind.CORRUPT,
                VerifyResult.Kind.TRUNCATED,
                VerifyResult.Kind.TRAILING_DATA,
                VerifyResult.Kind.WRONG_KEY,
                VerifyResult.Kind.UNREADABLE),
            "truncated",
            List.of(VerifyResult.Kind.TRUNCATED, VerifyResult.Kind.CORRUPT),
            "deleted",
            List.of(VerifyResult.Kind.MISSING));
    int n = 0;
    for (Map.Entry<String, UnaryOperator<byte[]>> damage : new TreeMap<>(damages).entrySet()) {
      DataObjectRef victim = m.objects().get(random.nextInt(m.objects().size()));
      byte[] original = memory.getBytes(victim.name());
      memory.delete(victim.name());
      byte[] damaged = damage.getValue().apply(original);
      if (damaged != null) {
        memory.put(victim.name(), damaged);
      }
      VerifyResult result = server.backups.verify(record);
      assertThat(result.problems())
          .as("%s: verify names %s", damage.getKey(), victim.name())
          .anyMatch(
              p ->
                  p.objectName().equals(victim.name())
                      && expected.get(damage.getKey()).contains(p.kind()));
      restoreFails(arn, "damaged_" + n++, victim.name());
      memory.delete(victim.name());
      memory.put(victim.name(), original);
    }
    assertThat(server.backups.verify(record).ok()).as("repaired store verifies").isTrue();
  }

  // Protects I7 for the wrong master key: a server with another key lists the backup as unreadable
  // (never hides it), answers a restore with the key it needs rather than "not found", and verify
  // with that key names the manifest as written under another key.
  // Regression: with a PITR window in the store, such a server failed to start at all (an
  // unreadable PITR state object aborted startup); it now starts, serves, and names what it cannot
  // read.
  @Test
  void wrongKeyIsReportedNotMisread() throws Exception {
    writes(50, "a");
    c.updateContinuousBackups(
        r ->
            r.tableName(TABLE)
                .pointInTimeRecoverySpecification(p -> p.pointInTimeRecoveryEnabled(true)));
    String arn = availableBackup("keyed");
    String manifest = server.backups.find(arn).orElseThrow().manifestName();
    SymmetricKey other = SymmetricKey.random();
    VerifyResult result = new BackupRepository(memory, other).verify(manifest);
    assertThat(result.problems())
        .anyMatch(p -> p.objectName().equals(manifest) && p.kind() == VerifyResult.Kind.WRONG_KEY);
    log.list.clear();
    try (AssembledServer stranger =
        AssembledServer.start(
            memory, other, dir.resolve("scratch2"), PitrService.Config.defaults())) {
      var rows = stranger.client.listBackups(r -> r.backupType("ALL")).backupSummaries();
      assertThat(rows).isNotEmpty();
      assertThat(rows)
          .allSatisfy(
              row -> assertThat(row.backupName()).isEqualTo("UNREADABLE.wrong-key." + key.id()));
      String unreadableArn =
          rows.stream()
              .filter(
                  row ->
                      manifest.endsWith(
                          row.backupArn().substring(row.backupArn().lastIndexOf('/'))))
              .findFirst()
              .orElseThrow()
              .backupArn();
      assertThatThrownBy(
              () ->
                  stranger.client.restoreTableFromBackup(
                      r -> r.backupArn(unreadableArn).targetTableName("from_stranger")))
          .isInstanceOf(software.amazon.awssdk.services.dynamodb.model.DynamoDbException.class)
          .hasMessageContaining("was encrypted with backup master key " + key.id())
          .hasMessageContaining("this server's key is " + other.id());
      assertThat(logText()).contains("wrong-key (key " + key.id() + ")");
      String tableId = c.describeTable(r -> r.tableName(TABLE)).table().tableId();
      assertThat(logText()).contains("PITR state of table incarnation " + tableId);
      assertThat(stranger.client.listTables().tableNames()).isEmpty();
    }
  }

  // Protects I7 for the PITR archive: a damaged log segment makes a point-in-time restore fail
  // with the segment named, and no table is created.
  @Test
  void damagedPitrSegmentFailsTheRestore() throws Exception {
    writes(30, "a");
    c.updateContinuousBackups(
        r ->
            r.tableName(TABLE)
                .pointInTimeRecoverySpecification(p -> p.pointInTimeRecoveryEnabled(true)));
    writes(60, "b");
    awaitRestorable(Instant.now());
    String tableId = c.describeTable(r -> r.tableName(TABLE)).table().tableId();
    List<String> segments = memory.list("pitr/" + tableId + "/seg/");
    assertThat(segments).isNotEmpty();
    String victim = segments.get(random.nextInt(segments.size()));
    byte[] b = memory.getBytes(victim);
    memory.delete(victim);
    b[b.length / 2] ^= 1;
    memory.put(victim, b);
    Set<Long> spaces = Set.copyOf(server.db.storage().tableSpaces());
    log.list.clear();
    c.restoreTableToPointInTime(
        r ->
            r.sourceTableName(TABLE).targetTableName("from_damaged").useLatestRestorableTime(true));
    assertThat(server.backups.awaitIdle(60_000)).isTrue();
    assertThat(tableExists("from_damaged")).isFalse();
    assertThat(server.db.storage().tableSpaces()).isEqualTo(spaces);
    assertThat(logText()).contains(victim);
  }
}
