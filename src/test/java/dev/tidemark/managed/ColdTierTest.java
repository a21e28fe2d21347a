package dev.tidemark.managed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.api.ItemKeys;
import dev.tidemark.backup.BackupRepository;
import dev.tidemark.backup.ColdPacker;
import dev.tidemark.backup.Manifest;
import dev.tidemark.backup.store.FaultyObjectStore;
import dev.tidemark.backup.store.MemoryObjectStore;
import dev.tidemark.backup.store.ObjectStore;
import dev.tidemark.backup.store.S3ObjectStore;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.Cursor;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.KeySchema;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableDefinition;
import dev.tidemark.tables.WritePath;
import dev.tidemark.testkit.S3ProxyServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protects the cold tier (issue 14, part 5) on a clock the test moves: recovery points move to the
 * cold store at their MoveToColdStorageAfterDays exactly once and are deleted from it at their
 * DeleteAfterDays exactly once, across restarts; a restore from COLD gives the table the warm point
 * gave, item for item and index entry for index entry (with the cold store on S3); a move cut by a
 * crash leaves the WARM point intact and starts again, never a COLD point without its copy; a
 * locked vault still refuses an early delete of a COLD point; without a cold tier the setting is
 * ignored, as AWS Backup ignores it for resource types that cannot tier.
 */
public class ColdTierTest {
  static final long DAY = ManagedBackupsTest.DAY;
  static final long START = CoreFixture.START;
  static final String ROLE = ManagedBackupsTest.ROLE;
  static final KeySchema KEYS = new KeySchema("pk", AttributeValue.Type.S, null, null);

  @TempDir Path dir;
  CoreFixture fixture;
  AtomicLong clock;
  Database db;
  ManagedBackups core;
  ColdTier cold;
  FaultyObjectStore coldStore;
  final AtomicInteger manifestsWritten = new AtomicInteger();
  final AtomicInteger manifestsDeleted = new AtomicInteger();
  BackupRepository coldRepo;
  Table table;
  String tableArn;
  final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void open() throws Exception {
    fixture = new CoreFixture(dir.resolve("scratch"));
    clock = fixture.clock;
    db = fixture.db;
    table = db.catalog().create(definition(db, "Orders"), Map.of());
    tableArn = db.tableArn("Orders");
    useColdStore(new MemoryObjectStore());
  }

  /** Over {@code store}, counting the manifests written to it and deleted from it. */
  void useColdStore(ObjectStore store) {
    coldStore =
        new FaultyObjectStore(store)
            .failPuts(
                name -> name.startsWith("manifests/") && manifestsWritten.incrementAndGet() < 0)
            .failDeletes(
                name -> name.startsWith("manifests/") && manifestsDeleted.incrementAndGet() < 0);
    coldRepo = new BackupRepository(coldStore, fixture.backups.repository().keys());
    restart();
  }

  /** A new core and cold tier over the same data and stores: what a server restart builds. */
  void restart() {
    if (core != null) {
      core.close();
      cold.close();
    }
    cold = new ColdTier(db.storage(), fixture.backups, coldRepo, "test cold store");
    core = new ManagedBackups(db, fixture.backups, clock::get);
    core.useColdTier(cold);
    core.load();
  }

  @AfterEach
  void close() throws Exception {
    core.close();
    cold.close();
    for (AutoCloseable c : toClose) {
      c.close();
    }
    fixture.close();
  }

  /** A table keyed by {@code pk}, with a global index on {@code cat}. */
  public static TableDefinition definition(Database db, String name) {
    Map<String, AttributeValue.Type> attrs = new LinkedHashMap<>();
    attrs.put("pk", AttributeValue.Type.S);
    attrs.put("cat", AttributeValue.Type.S);
    return new TableDefinition(
        name,
        db.catalog().allocateId(),
        UUID.randomUUID().toString(),
        db.now(),
        KEYS,
        attrs,
        TableDefinition.PAY_PER_REQUEST,
        null,
        null,
        List.of(
            new IndexDefinition(
                "byCat",
                true,
                new KeySchema("cat", AttributeValue.Type.S, null, null),
                "ALL",
                null,
                null)),
        null,
        null,
        null,
        null,
        null,
        false,
        0);
  }

  void put(String pk, String cat, String payload) {
    put(db, table, pk, cat, payload);
  }

  /** An item {@code pk} in index partition {@code cat}, written as a client's PutItem. */
  public static void put(Database db, Table table, String pk, String cat, String payload) {
    Map<String, AttributeValue> key = Map.of("pk", new AttributeValue.S(pk));
    Map<String, AttributeValue> item = new LinkedHashMap<>(key);
    item.put("cat", new AttributeValue.S(cat));
    item.put("v", new AttributeValue.S(payload));
    db.writePath()
        .commit(
            List.of(
                new WritePath.ItemWrite(
                    table, ItemKeys.storageKey(KEYS, key), key, current -> Map.copyOf(item))),
            ChangeRecord.Origin.USER);
  }

  void delete(String pk) {
    Map<String, AttributeValue> key = Map.of("pk", new AttributeValue.S(pk));
    db.writePath()
        .commit(
            List.of(
                new WritePath.ItemWrite(
                    table, ItemKeys.storageKey(KEYS, key), key, current -> null)),
            ChangeRecord.Origin.USER);
  }

  /** Runs a backup job to its end, then lets the worker settle what it started. */
  BackupJob backup(Lifecycle lifecycle) throws Exception {
    BackupJob j =
        core.startBackupJob(
            new ManagedBackups.BackupRequest(
                "Default", tableArn, ROLE, null, 480L, null, lifecycle, Map.of()));
    core.runOnce();
    long deadline = System.currentTimeMillis() + 10_000;
    while (!core.backupJob(j.id()).isFinished() && System.currentTimeMillis() < deadline) {
      Thread.sleep(2);
    }
    settle();
    return core.backupJob(j.id());
  }

  /** One worker pass, then waits for the cold moves it started (they settle themselves). */
  void settle() throws Exception {
    core.runOnce();
    assertThat(cold.awaitIdle(20_000)).isTrue();
  }

  long warmPoints() {
    return fixture.backups.list().stream().filter(r -> r.type().equals("AWS_BACKUP")).count();
  }

  long coldManifests() throws IOException {
    return coldStore.list("manifests/").size();
  }

  // Daily points, cold after 30 days and deleted after 120, for 150 days with restarts on days 45
  // and 100: each day every point is WARM or COLD exactly as its age says, the warm store holds
  // exactly the WARM ones and the cold store exactly the COLD ones, and over the whole run each
  // point's copy was written once and deleted once.
  @Test
  void dailyPointsGoColdAfter30DaysAndAreDeletedAfter120AcrossRestarts() throws Exception {
    for (int day = 0; day < 150; day++) {
      clock.set(START + day * DAY);
      if (day == 45 || day == 100) {
        restart();
      }
      put("item-" + day, "c" + (day % 7), "day " + day);
      put("item-" + (day / 2), "c" + (day % 3), "changed on day " + day);
      if (day % 10 == 9) {
        delete("item-" + (day - 5));
      }
      BackupJob j = backup(new Lifecycle(30, 120));
      assertThat(j.state()).as("day %d", day).isEqualTo("COMPLETED");
      List<RecoveryPoint> points = core.points(p -> true);
      int alive = Math.min(day + 1, 120);
      int coldNow = Math.max(0, alive - 30);
      assertThat(points).as("day %d", day).hasSize(alive);
      for (RecoveryPoint p : points) {
        long age = (clock.get() - p.creationMillis()) / DAY;
        assertThat(core.storageClass(p))
            .as("day %d, point of day %d", day, day - age)
            .isEqualTo(age >= 30 ? "COLD" : "WARM");
        if (age >= 30) {
          // Moved on the day it became due, not later.
          assertThat(cold.copy(p.id()).orElseThrow().coldMillis())
              .isEqualTo(p.lifecycle().moveToColdStorageAt(p.creationMillis()));
        }
      }
      assertThat(warmPoints()).as("day %d: warm store", day).isEqualTo(alive - coldNow);
      assertThat(coldManifests()).as("day %d: cold store", day).isEqualTo(coldNow);
      assertThat(manifestsWritten.get())
          .as("day %d: each point's cold copy written once", day)
          .isEqualTo(Math.max(0, day - 29));
      assertThat(manifestsDeleted.get())
          .as("day %d: each cold copy deleted once", day)
          .isEqualTo(Math.max(0, day - 119));
    }
    assertThat(coldRepo.collectOrphans(table.definition().tableId()).deletedObjects())
        .as("every cold object left belongs to a cold copy that exists")
        .isEmpty();
  }

  // Restore from COLD, the cold store on S3: the table equals the one the same point restored
  // from WARM gave, every entry of its key space (items and index entries) and every counter, and
  // its items are the ones written before the backup (later writes are not in it).
  @Test
  void aRestoreFromColdOnS3GivesTheTableTheWarmPointGave() throws Exception {
    S3ProxyServer s3 = S3ProxyServer.shared();
    S3ObjectStore s3Store = S3ObjectStore.open(s3.storeConfig(s3.newBucket(), "cold-tier/points"));
    toClose.add(s3Store);
    useColdStore(s3Store);
    NavigableMap<String, String> expected = new TreeMap<>();
    for (int i = 0; i < 400; i++) {
      put("k" + i, "c" + (i % 5), "first " + i);
      expected.put("k" + i, "first " + i);
    }
    backup(Lifecycle.NONE);
    for (int i = 0; i < 400; i += 3) {
      put("k" + i, "c" + (i % 4), "second " + i);
      expected.put("k" + i, "second " + i);
    }
    for (int i = 1; i < 400; i += 10) {
      delete("k" + i);
      expected.remove("k" + i);
    }
    // An incremental point: the copy merges the base and the delta.
    RecoveryPoint p = core.point(backup(new Lifecycle(1, 91)).recoveryPointArn());
    for (int i = 0; i < 400; i += 2) {
      put("k" + i, "c9", "after the backup");
    }
    Table fromWarm = restore(p, "FromWarm");
    clock.addAndGet(DAY);
    settle();
    assertThat(core.storageClass(core.point(p.arn()))).isEqualTo("COLD");
    assertThat(fixture.backups.find(p.backupArn())).as("the warm backup is gone").isEmpty();
    Manifest copy = coldRepo.readManifest(cold.copy(p.id()).orElseThrow().manifestName());
    assertThat(copy.incremental()).isNull();
    assertThat(copy.objects()).allSatisfy(o -> assertThat(o.label()).startsWith("cold-data-"));
    Table fromCold = restore(p, "FromCold");

    assertThat(entries(fromCold)).isEqualTo(entries(fromWarm));
    assertThat(fromCold.itemCount()).isEqualTo(expected.size()).isEqualTo(fromWarm.itemCount());
    assertThat(fromCold.sizeBytes()).isEqualTo(fromWarm.sizeBytes());
    IndexDefinition byCat = fromCold.definition().allIndexes().get(0);
    assertThat(db.indexes().stats(fromCold.id(), byCat))
        .isEqualTo(db.indexes().stats(fromWarm.id(), fromWarm.definition().allIndexes().get(0)));
    NavigableMap<String, String> restored = new TreeMap<>();
    try (Cursor c =
        db.storage().scan(fromCold.id(), ItemKeys.itemsLower(), ItemKeys.itemsUpper(), false)) {
      while (c.next()) {
        Map<String, AttributeValue> item = dev.tidemark.storage.ItemCodec.decode(c.value());
        restored.put(
            ((AttributeValue.S) item.get("pk")).value(),
            ((AttributeValue.S) item.get("v")).value());
      }
    }
    assertThat(restored).isEqualTo(expected);
  }

  Table restore(RecoveryPoint p, String target) throws Exception {
    RestoreJob j = core.startRestoreJob(p.arn(), Map.of("targetTableName", target), ROLE, null);
    core.runOnce();
    assertThat(fixture.backups.awaitIdle(20_000)).isTrue();
    core.runOnce();
    RestoreJob done = core.restoreJob(j.id());
    assertThat(done.status()).as(done.statusMessage()).isEqualTo("COMPLETED");
    return db.catalog().find(target).orElseThrow();
  }

  /** Every entry of a table's key space, as hex key to hex value. */
  Map<String, String> entries(Table t) {
    Map<String, String> out = new TreeMap<>();
    try (Cursor c = db.storage().scan(t.id(), null, null, false)) {
      while (c.next()) {
        out.put(
            java.util.HexFormat.of().formatHex(c.key()),
            java.util.HexFormat.of().formatHex(c.value()));
      }
    }
    return out;
  }

  // kill -9 while a point was moving: its MOVING record and part of its copy (here, the whole copy
  // but the COLD record never written) survive. The restart removes the copy and shows the point
  // WARM with its warm backup; the next pass moves it again, once. And kill -9 after the switch,
  // before the warm backup's deletion: the point is COLD and the next pass deletes the warm one.
  @Test
  void aMoveCutByACrashLeavesTheWarmPointAndStartsAgain() throws Exception {
    put("a", "x", "1");
    RecoveryPoint p = core.point(backup(new Lifecycle(1, 91)).recoveryPointArn());
    String manifest = fixture.backups.find(p.backupArn()).orElseThrow().manifestName();
    ColdPacker.pack(fixture.backups.repository(), manifest, coldRepo);
    new MetaRecords<>(db.storage(), "cold-copy", ColdCopy.class)
        .put(p.id(), new ColdCopy(p.id(), ColdCopy.MOVING, manifest, clock.get(), null, 0, 0));
    restart();
    assertThat(core.storageClass(core.point(p.arn()))).isEqualTo("WARM");
    assertThat(coldStore.list(""))
        .as("the partial copy is removed")
        .allMatch(n -> n.endsWith("/key"));
    assertThat(fixture.backups.find(p.backupArn())).isPresent();

    clock.addAndGet(DAY);
    settle();
    assertThat(core.storageClass(core.point(p.arn()))).isEqualTo("COLD");
    assertThat(coldManifests()).isEqualTo(1);
    assertThat(fixture.backups.find(p.backupArn())).isEmpty();

    // The switch made, the warm backup not yet deleted (put back as a crash would have left it).
    put("b", "y", "2");
    RecoveryPoint q = core.point(backup(new Lifecycle(1, 91)).recoveryPointArn());
    String qManifest = fixture.backups.find(q.backupArn()).orElseThrow().manifestName();
    ColdPacker.Packed packed = ColdPacker.pack(fixture.backups.repository(), qManifest, coldRepo);
    new MetaRecords<>(db.storage(), "cold-copy", ColdCopy.class)
        .put(
            q.id(),
            new ColdCopy(q.id(), ColdCopy.MOVING, qManifest, clock.get(), null, 0, 0)
                .cold(clock.get(), packed.objects(), packed.manifest().storedBytes()));
    restart();
    assertThat(core.storageClass(core.point(q.arn()))).isEqualTo("COLD");
    core.runOnce();
    assertThat(fixture.backups.find(q.backupArn())).as("the warm backup is deleted").isEmpty();
    assertThat(restore(core.point(q.arn()), "QFromCold").itemCount()).isEqualTo(2);
  }

  // kill -9 while a COLD point was being deleted (its DELETING mark written, nothing removed): the
  // restart deletes the cold copy and the point, once.
  @Test
  void aDeletionCutByACrashIsFinishedOnRestart() throws Exception {
    put("a", "x", "1");
    RecoveryPoint p = core.point(backup(new Lifecycle(1, 91)).recoveryPointArn());
    clock.addAndGet(DAY);
    settle();
    assertThat(coldManifests()).isEqualTo(1);
    new MetaRecords<>(db.storage(), "point", RecoveryPoint.class)
        .put(p.id(), core.point(p.arn()).withStatus(RecoveryPoint.DELETING));
    restart();
    assertThat(core.points(x -> true)).isEmpty();
    assertThat(coldManifests()).isZero();
    assertThat(manifestsDeleted.get()).isEqualTo(1);
    assertThat(coldRepo.collectOrphans(table.definition().tableId()).deletedObjects()).isEmpty();
    assertThat(new MetaRecords<>(db.storage(), "cold-copy", ColdCopy.class).all()).isEmpty();
  }

  // A new data directory over the same warm and cold stores (the host is gone): the COLD point is
  // filed back into its vault, COLD, and restores from its cold copy; the WARM one too, WARM.
  @Test
  void aNewDataDirectoryFindsItsColdPointsAgain() throws Exception {
    for (int i = 0; i < 50; i++) {
      put("k" + i, "c", "v" + i);
    }
    RecoveryPoint coldPoint = core.point(backup(new Lifecycle(1, 91)).recoveryPointArn());
    clock.addAndGet(DAY);
    settle();
    RecoveryPoint warmPoint = core.point(backup(Lifecycle.NONE).recoveryPointArn());
    assertThat(core.storageClass(core.point(coldPoint.arn()))).isEqualTo("COLD");

    Database db2 =
        new Database(
            dev.tidemark.storage.RocksStorage.inMemory(),
            clock::get,
            false,
            "us-east-1",
            "000000000000");
    dev.tidemark.backup.BackupService backups2 =
        new dev.tidemark.backup.BackupService(
            db2, fixture.backups.repository(), dir.resolve("scratch2"));
    backups2.start();
    ColdTier cold2 = new ColdTier(db2.storage(), backups2, coldRepo, "test cold store");
    ManagedBackups core2 = new ManagedBackups(db2, backups2, clock::get);
    try {
      core2.useColdTier(cold2);
      core2.load();
      assertThat(core2.points(x -> true))
          .extracting(RecoveryPoint::arn)
          .containsExactly(coldPoint.arn(), warmPoint.arn());
      assertThat(core2.storageClass(core2.point(coldPoint.arn()))).isEqualTo("COLD");
      assertThat(core2.storageClass(core2.point(warmPoint.arn()))).isEqualTo("WARM");
      RestoreJob j =
          core2.startRestoreJob(coldPoint.arn(), Map.of("targetTableName", "Reborn"), ROLE, null);
      core2.runOnce();
      assertThat(backups2.awaitIdle(20_000)).isTrue();
      core2.runOnce();
      assertThat(core2.restoreJob(j.id()).status()).isEqualTo("COMPLETED");
      assertThat(db2.catalog().find("Reborn").orElseThrow().itemCount()).isEqualTo(50);
    } finally {
      core2.close();
      cold2.close();
      backups2.close();
      db2.close();
    }
  }

  // A copy the cold store fails to take: the point stays WARM with its warm backup, nothing of
  // the copy is left, and the move is tried again an hour later, then succeeds.
  @Test
  void aCopyThatFailsLeavesThePointWarmAndIsTriedAgainLater() throws Exception {
    put("a", "x", "1");
    RecoveryPoint p = core.point(backup(new Lifecycle(1, 91)).recoveryPointArn());
    coldStore.failPuts(name -> name.contains("/data/"));
    clock.addAndGet(DAY);
    settle();
    assertThat(core.storageClass(core.point(p.arn()))).isEqualTo("WARM");
    assertThat(cold.copy(p.id())).isEmpty();
    assertThat(fixture.backups.find(p.backupArn())).isPresent();
    assertThat(coldStore.list("")).allMatch(n -> n.endsWith("/key"));
    coldStore.heal();
    clock.addAndGet(ColdTier.RETRY_MILLIS - 1);
    settle();
    assertThat(core.storageClass(core.point(p.arn()))).isEqualTo("WARM");
    clock.addAndGet(1);
    settle();
    assertThat(core.storageClass(core.point(p.arn()))).isEqualTo("COLD");
    assertThat(fixture.backups.find(p.backupArn())).isEmpty();
  }

  // A point a copy job still reads (CopyJobs registers its CREATED and RUNNING jobs' sources as
  // warm readers): its move waits past the cold date, so the copy never loses its warm source
  // mid-transfer; once no job reads it, the next pass moves it.
  @Test
  void aPointThatACopyReadsStaysWarmUntilTheCopyEnds() throws Exception {
    put("a", "x", "1");
    RecoveryPoint p = core.point(backup(new Lifecycle(1, 91)).recoveryPointArn());
    java.util.concurrent.atomic.AtomicBoolean copying =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    core.addWarmReaders(() -> copying.get() ? java.util.Set.of(p.arn()) : java.util.Set.of());
    clock.addAndGet(2 * DAY);
    settle();
    assertThat(core.storageClass(core.point(p.arn()))).isEqualTo("WARM");
    assertThat(cold.copy(p.id())).as("no move started").isEmpty();
    assertThat(fixture.backups.find(p.backupArn())).isPresent();
    copying.set(false);
    settle();
    assertThat(core.storageClass(core.point(p.arn()))).isEqualTo("COLD");
    assertThat(fixture.backups.find(p.backupArn())).isEmpty();
  }

  // A cold object the store garbles as it is written: caught by the read-back that follows each
  // write, so the point stays WARM with its warm backup, and the next try, on a sound store, moves
  // it.
  @Test
  void aColdObjectGarbledAsItIsWrittenLeavesThePointWarm() throws Exception {
    put("a", "x", "1");
    RecoveryPoint p = core.point(backup(new Lifecycle(1, 91)).recoveryPointArn());
    coldStore.corruptWrites(name -> name.contains("/data/"));
    clock.addAndGet(DAY);
    settle();
    assertThat(core.storageClass(core.point(p.arn()))).isEqualTo("WARM");
    assertThat(cold.copy(p.id())).isEmpty();
    assertThat(fixture.backups.find(p.backupArn())).isPresent();
    assertThat(coldStore.list("manifests/")).isEmpty();
    coldStore.heal();
    clock.addAndGet(ColdTier.RETRY_MILLIS);
    settle();
    assertThat(core.storageClass(core.point(p.arn()))).isEqualTo("COLD");
  }

  // Vault lock holds for COLD points: an early delete is refused; the lifecycle deletes the point,
  // cold copy included, at its DeleteAfterDays.
  @Test
  void aLockedVaultRefusesAnEarlyDeleteOfAColdPoint() throws Exception {
    put("a", "x", "1");
    core.lockVault("Default", 7L, 200L, null);
    RecoveryPoint p = core.point(backup(new Lifecycle(10, 100)).recoveryPointArn());
    clock.addAndGet(10 * DAY);
    settle();
    assertThat(core.storageClass(core.point(p.arn()))).isEqualTo("COLD");
    assertThatThrownBy(() -> core.deletePoint("Default", p.arn()))
        .isInstanceOf(DynamoException.class)
        .extracting(e -> ((DynamoException) e).error())
        .isEqualTo(WireError.INVALID_REQUEST);
    assertThat(coldManifests()).isEqualTo(1);
    clock.set(p.deleteAt());
    settle();
    assertThat(core.points(x -> true)).isEmpty();
    assertThat(coldManifests()).isZero();
    assertThat(manifestsDeleted.get()).isEqualTo(1);
  }

  // Without --cold-backup-store, MoveToColdStorageAfterDays is ignored (as AWS Backup ignores it
  // for resource types that cannot tier): the point stays WARM, CalculatedLifecycle announces only
  // the deletion, and DeleteAfterDays still deletes it.
  @Test
  void withoutAColdTierTheMoveIsIgnored() throws Exception {
    core.close();
    cold.close();
    core = new ManagedBackups(db, fixture.backups, clock::get);
    core.load();
    cold = new ColdTier(db.storage(), fixture.backups, coldRepo, "unused");
    put("a", "x", "1");
    BackupJob j =
        core.startBackupJob(
            new ManagedBackups.BackupRequest(
                "Default", tableArn, ROLE, null, 480L, null, new Lifecycle(1, 91), Map.of()));
    core.runOnce();
    assertThat(fixture.backups.awaitIdle(10_000)).isTrue();
    RecoveryPoint p = core.point(core.backupJob(j.id()).recoveryPointArn());
    assertThat(core.effectiveLifecycle(p)).isEqualTo(new Lifecycle(null, 91));
    clock.addAndGet(30 * DAY);
    core.runOnce();
    assertThat(core.storageClass(core.point(p.arn()))).isEqualTo("WARM");
    assertThat(coldStore.list("")).isEmpty();
    clock.addAndGet(61 * DAY);
    core.runOnce();
    assertThat(core.points(x -> true)).isEmpty();
  }
}
