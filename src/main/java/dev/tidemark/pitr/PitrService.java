package dev.tidemark.pitr;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tidemark.api.ItemKeys;
import dev.tidemark.backup.BackupRecord;
import dev.tidemark.backup.BackupRepository;
import dev.tidemark.backup.BackupService;
import dev.tidemark.backup.Manifest;
import dev.tidemark.backup.SnapshotLoader;
import dev.tidemark.backup.Transfers;
import dev.tidemark.changelog.ArchivedLog;
import dev.tidemark.changelog.ChangeLog;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.BulkLoader;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.StorageException;
import dev.tidemark.storage.StorageFullException;
import dev.tidemark.storage.WriteSet;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.KeySchema;
import dev.tidemark.tables.RestoreSummary;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableDefinition;
import dev.tidemark.tables.WritePath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Point-in-time recovery: a base snapshot plus the archived change log, per table incarnation.
 *
 * <p>While PITR is on, an archiver ships the table's change records to the backup store as sealed
 * segments (about one a second under load), and keeps a durable cursor so that after a crash it
 * re-ships from where it was, with no gap. Base snapshots reuse the backup machinery (type
 * PITR_BASE, sharing unchanged data objects) and are taken when PITR is enabled, periodically, and
 * when the log since the last base grows past a bound. A restore to T loads the newest base at or
 * before T and lays over it, in seq order, every archived record after the base with a commit time
 * at or before T (invariant I5). Pruning keeps the newest base at or before the window's start and
 * everything after it (invariant I6).
 *
 * <p>The latest restorable time is the instant up to which the archive is complete: the archiver
 * captures the write path's position (every commit so far, and a time floor for later ones) and,
 * once every record up to it is archived, everything before the floor is restorable.
 */
public final class PitrService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PitrService.class);
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .findAndAddModules()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .build();

  /**
   * Tunables. {@code sealAfterMillis} bounds how long a record waits in memory before its segment
   * is sealed; {@code baseEveryRecords} bounds how much log a restore replays.
   */
  public record Config(
      long tickMillis,
      long sealAfterMillis,
      int maxSegmentBytes,
      long baseEveryMillis,
      long baseEveryRecords,
      long pruneEveryMillis) {
    public static Config defaults() {
      return new Config(200, 600, 4 << 20, PitrState.DAY_MILLIS, 1_000_000, 60_000);
    }
  }

  /** What DescribeContinuousBackups reports. Times are null when PITR is off. */
  public record Status(
      boolean enabled, Integer periodDays, Long earliestMillis, Long latestMillis) {}

  /** Archiving state of one live table with PITR on. Guarded by its own monitor. */
  private static final class Live {
    final long tableId;
    volatile PitrState state;

    /** The last archived seq; read without the monitor by retention. */
    volatile long cursor;

    /** The last seq of the last sealed segment (or the window's base): the next segment's link. */
    long lastSealed;

    volatile long coveredUntil;
    final List<ChangeLog.Raw> buffer = new ArrayList<>();
    long bufferBytes;
    long bufferSince;
    long recordsSinceBase;
    long lastBaseMillis;
    long lastProgressMillis;

    /**
     * When archiving started failing (the store is full or unwritable), 0 while it works. Written
     * under the monitor; volatile for metrics, which must not wait behind a slow store.
     */
    volatile long failingSince;

    /**
     * How long to wait before retaking a base when the window has none (its only base failed);
     * doubles per attempt so a long outage does not log a failed backup every pass.
     */
    long baseRetryMillis = BASE_RETRY_MILLIS;

    Live(long tableId, PitrState state, long cursor, long coveredUntil, long lastBaseMillis) {
      this.tableId = tableId;
      this.state = state;
      this.cursor = cursor;
      this.lastSealed = cursor;
      this.coveredUntil = coveredUntil;
      this.lastBaseMillis = lastBaseMillis;
    }
  }

  private final Database db;
  private final BackupService backups;
  private final BackupRepository repository;
  private final Config config;
  private final LongSupplier clock;
  private final Map<Long, Live> live = new ConcurrentHashMap<>();

  /** Incarnations whose table is gone (deleted here, or known only from the store). */
  private final Map<String, PitrState> gone = new ConcurrentHashMap<>();

  /** The first wait before retaking a window's failed base; the longest is 64 times this. */
  private static final long BASE_RETRY_MILLIS = 1_000;

  private final SecureRandom random = new SecureRandom();
  private volatile Thread worker;
  private volatile boolean stopping;
  private long lastPrune;

  public PitrService(Database db, BackupService backups, Config config) {
    this.db = db;
    this.backups = backups;
    this.repository = backups.repository();
    this.config = config;
    this.clock = db::now;
    // Once the data directory trims archived records early, the archive is where an incremental
    // backup learns what changed since its base.
    backups.useArchive(this::archivedChanges);
  }

  private static byte[] stateKey(long id) {
    return ByteBuffer.allocate(13)
        .put("pitr/".getBytes(StandardCharsets.UTF_8))
        .putLong(id)
        .array();
  }

  private static byte[] cursorKey(long id) {
    return ByteBuffer.allocate(20)
        .put("pitr-cur/".getBytes(StandardCharsets.UTF_8))
        .putLong(id)
        .array();
  }

  /** Loads local PITR state and every incarnation the store knows; does not start the worker. */
  public void load() throws IOException {
    try (Cursor c = db.storage().scanMeta("pitr/".getBytes(StandardCharsets.UTF_8))) {
      while (c.next()) {
        long id = ByteBuffer.wrap(c.key(), 5, 8).getLong();
        PitrState st = JSON.readValue(c.value(), PitrState.class);
        byte[] cur = db.storage().getMeta(cursorKey(id));
        long cursor = cur == null ? st.windowStartSeq() : ByteBuffer.wrap(cur).getLong();
        long covered = cur == null ? st.windowStartMillis() : ByteBuffer.wrap(cur).getLong(8);
        boolean alive =
            db.catalog().names().stream()
                .map(n -> db.catalog().find(n).orElseThrow())
                .anyMatch(t -> t.id() == id);
        if (alive && st.enabled()) {
          live.put(id, new Live(id, st, cursor, covered, newestBaseMillis(st.tableUuid())));
        }
      }
    }
    for (String uuid : PitrStore.incarnations(repository)) {
      if (live.values().stream().anyMatch(l -> l.state.tableUuid().equals(uuid))) {
        continue;
      }
      // One unreadable object (damaged, or written under another master key) must not keep the
      // server from starting; like an unreadable backup manifest, its window is not offered.
      try {
        PitrStore.state(repository, uuid).ifPresent(s -> gone.put(uuid, s));
      } catch (IOException | RuntimeException e) {
        LOG.error(
            "PITR state of table incarnation {} in the backup store cannot be read; its window is"
                + " not restorable from this server: {}",
            uuid,
            e.getMessage());
      }
    }
    LOG.info(
        "PITR: {} tables archiving, {} other incarnations in the store", live.size(), gone.size());
  }

  private long newestBaseMillis(String uuid) {
    return backups.bases(uuid).stream().mapToLong(BackupRecord::creationMillis).max().orElse(0);
  }

  /** Starts the background archiver and pruner. */
  public void start() {
    Thread t = new Thread(this::run, "tidemark-pitr");
    t.setDaemon(true);
    worker = t;
    t.start();
  }

  private void run() {
    while (!stopping) {
      try {
        archiveOnce();
        long now = clock.getAsLong();
        if (now - lastPrune >= config.pruneEveryMillis()) {
          lastPrune = now;
          pruneOnce();
        }
      } catch (RuntimeException e) {
        LOG.warn("PITR archiver pass failed; it retries: {}", e.toString(), e);
      }
      try {
        Thread.sleep(config.tickMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  // ---- settings -------------------------------------------------------------------------------

  public Status status(Table table) {
    Live l = live.get(table.id());
    if (l == null) {
      return new Status(false, null, null, null);
    }
    long[] w = window(new Source(l.state, l.tableId));
    return new Status(true, l.state.recoveryPeriodDays(), w[0], w[1]);
  }

  /** Turns PITR on (a new window, starting with a base snapshot) or changes its period. */
  public Status enable(Table table, Integer periodDays) {
    synchronized (this) {
      Live l = live.get(table.id());
      if (l != null) {
        if (periodDays != null && periodDays != l.state.recoveryPeriodDays()) {
          PitrState st = l.state.withPeriod(periodDays, clock.getAsLong());
          persist(table.id(), st);
          l.state = st;
        }
        return status(table);
      }
      int days = periodDays == null ? PitrState.DEFAULT_PERIOD_DAYS : periodDays;
      BackupRecord base = backups.create(table, "pitr-base", BackupService.PITR_BASE, null);
      TableDefinition d = table.definition();
      PitrState st =
          new PitrState(
              d.name(),
              db.tableArn(d.name()),
              d.tableId(),
              JSON.valueToTree(d),
              true,
              days,
              base.position().commitTimeMillis(),
              base.position().seq(),
              null);
      persist(table.id(), st);
      long covered = base.position().commitTimeMillis() - 1;
      saveCursor(table.id(), base.position().seq(), covered);
      Live fresh = new Live(table.id(), st, base.position().seq(), covered, clock.getAsLong());
      live.put(table.id(), fresh);
      // The window opens at the base's instant; once the clock has passed it, one pass makes the
      // archive complete up to now, so the window is never reported empty.
      long deadline = System.nanoTime() + 5_000_000;
      while (clock.getAsLong() <= base.position().commitTimeMillis()
          && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      archive(fresh, false);
      LOG.info("PITR enabled for table {} ({} days)", d.name(), days);
      return status(table);
    }
  }

  /** Turns PITR off: the window ends and its archive is deleted, as on DynamoDB. */
  public void disable(Table table) {
    synchronized (this) {
      Live l = live.remove(table.id());
      if (l == null) {
        return;
      }
      synchronized (l) {
        PitrState st = l.state.disabled();
        persist(table.id(), st);
        // A base still being written would complete after the deletion below and outlive the
        // window it belonged to; wait for it, so the whole history really goes.
        awaitBases(st.tableUuid());
        deleteArchive(st.tableUuid(), Long.MAX_VALUE, true);
      }
      LOG.info("PITR disabled for table {}; its archive was deleted", table.name());
    }
  }

  private void awaitBases(String uuid) {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (backups.bases(uuid).stream().anyMatch(b -> !"AVAILABLE".equals(b.status()))) {
      if (System.nanoTime() > deadline) {
        LOG.warn("a PITR base of {} is still being written; it will be pruned later", uuid);
        return;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void persist(long tableId, PitrState st) {
    try {
      db.storage().apply(new WriteSet().putMeta(stateKey(tableId), JSON.writeValueAsBytes(st)));
      db.storage().sync();
      writeStoredState(st);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void saveCursor(long tableId, long seq, long covered) {
    db.storage()
        .apply(
            new WriteSet()
                .putMeta(
                    cursorKey(tableId),
                    ByteBuffer.allocate(16).putLong(seq).putLong(covered).array()));
  }

  // ---- store-side state (for a server that has only the store) --------------------------------

  private void writeStoredState(PitrState st) throws IOException {
    String prefix = PitrStore.statePrefix(st.tableUuid());
    List<String> old = repository.store().list(prefix);
    String name = String.format("%s%014d-%08x", prefix, clock.getAsLong(), random.nextInt());
    repository.putTableObject(st.tableUuid(), name, JSON.writeValueAsBytes(st));
    for (String o : old) {
      if (o.compareTo(name) < 0) {
        repository.store().delete(o);
      }
    }
  }

  /** PITR windows of every incarnation this server or its store knows, for the CLI and DR. */
  public List<PitrState> windows() {
    List<PitrState> out = new ArrayList<>();
    live.values().forEach(l -> out.add(l.state));
    out.addAll(gone.values());
    return out;
  }

  // ---- archiving ------------------------------------------------------------------------------

  /** One archiver pass over every table with PITR on. Tests call it directly. */
  public void archiveOnce() {
    for (Live l : live.values()) {
      try {
        archive(l, false);
      } catch (RuntimeException e) {
        synchronized (l) {
          archiveFailed(l, e);
        }
      }
    }
  }

  /**
   * Reads the table's new records and seals a segment when due. With {@code force}, seals whatever
   * is buffered (used when a table is deleted).
   */
  private boolean archive(Live l, boolean force) {
    synchronized (l) {
      if (l.cursor < l.lastSealed) {
        // A segment is in the store but its cursor could not be saved (the data directory's
        // disk was full): save it first; until then retention keeps those records.
        saveCursor(l.tableId, l.lastSealed, l.coveredUntil);
        l.cursor = l.lastSealed;
      }
      WritePath.Position pos = db.writePath().capturePosition();
      db.writePath().awaitDurableThrough(pos.seq());
      // While the store refuses segments the records stay in the change log (retention is held
      // back at the cursor), so the buffer need not grow past what a few segments hold.
      boolean complete = false;
      while (l.bufferBytes < 4L * config.maxSegmentBytes()) {
        long from =
            l.buffer.isEmpty()
                ? Math.max(l.cursor, l.lastSealed) + 1
                : l.buffer.get(l.buffer.size() - 1).seq() + 1;
        List<ChangeLog.Raw> batch = db.changeLog().readRaw(l.tableId, from, pos.seq() + 1, 10_000);
        if (batch.isEmpty()) {
          complete = true;
          break;
        }
        if (l.buffer.isEmpty()) {
          l.bufferSince = clock.getAsLong();
        }
        for (ChangeLog.Raw r : batch) {
          l.buffer.add(r);
          l.bufferBytes += 16 + r.value().length;
        }
        if (batch.size() < 10_000) {
          complete = true;
          break;
        }
      }
      long now = clock.getAsLong();
      // Complete up to the captured position only if every record up to it was read; otherwise
      // up to just before the last buffered record's instant (later ones may share it).
      long covered =
          complete
              ? pos.timeFloor() - 1
              : Math.max(l.coveredUntil, l.buffer.get(l.buffer.size() - 1).commitTimeMillis() - 1);
      if (l.buffer.isEmpty()) {
        // Nothing after the cursor up to the captured position: the archive is complete to it.
        l.cursor = Math.max(l.cursor, pos.seq());
        l.coveredUntil = Math.max(l.coveredUntil, covered);
        if (now - l.lastProgressMillis >= PROGRESS_EVERY_MILLIS) {
          writeProgress(l);
        }
      } else if (force
          || l.bufferBytes >= config.maxSegmentBytes()
          || now - l.bufferSince >= config.sealAfterMillis()) {
        seal(l, covered);
      }
      // A window whose every base failed (the store stopped while the first was written, or the
      // server restarted before it completed) restores nothing: retake one, with a growing wait.
      List<BackupRecord> bases = backups.bases(l.state.tableUuid());
      boolean baseless = bases.isEmpty();
      if (bases.stream().anyMatch(b -> "AVAILABLE".equals(b.status()))) {
        l.baseRetryMillis = BASE_RETRY_MILLIS;
      }
      if (!force
          && (l.recordsSinceBase >= config.baseEveryRecords()
              || now - l.lastBaseMillis >= config.baseEveryMillis()
              || (baseless && now - l.lastBaseMillis >= l.baseRetryMillis))) {
        db.catalog().names().stream()
            .map(n -> db.catalog().find(n).orElseThrow())
            .filter(t -> t.id() == l.tableId && t.isUsable())
            .findFirst()
            .ifPresent(
                t -> {
                  if (baseless) {
                    LOG.warn(
                        "PITR window of table {} has no base snapshot (the last one failed);"
                            + " taking a new one. Until it exists nothing is restorable, and the"
                            + " window then starts at its instant",
                        l.state.tableName());
                    l.baseRetryMillis = Math.min(64 * BASE_RETRY_MILLIS, 2 * l.baseRetryMillis);
                  }
                  backups.create(t, "pitr-base", BackupService.PITR_BASE, null);
                  l.recordsSinceBase = 0;
                  l.lastBaseMillis = now;
                });
      }
      return complete;
    }
  }

  private void seal(Live l, long covered) {
    ChangeLog.Raw first = l.buffer.get(0);
    ChangeLog.Raw last = l.buffer.get(l.buffer.size() - 1);
    String uuid = l.state.tableUuid();
    try {
      byte[] segment =
          Segment.encode(l.tableId, l.lastSealed, first.seq(), last.seq(), covered, l.buffer);
      repository.putTableObject(
          uuid, Segment.name(uuid, first.seq(), last.seq(), covered), segment);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store a PITR segment of " + l.state.tableName(), e);
    }
    // The segment is stored: never seal these records again, even if the cursor cannot be saved
    // now (a full data directory), or every pass would store another copy of them.
    l.lastSealed = last.seq();
    l.coveredUntil = covered;
    l.recordsSinceBase += l.buffer.size();
    l.buffer.clear();
    l.bufferBytes = 0;
    // The cursor, which also holds retention back, moves only once saved.
    saveCursor(l.tableId, last.seq(), covered);
    l.cursor = last.seq();
    archiveRecovered(l);
  }

  /**
   * One past the last archived seq of a table with PITR on (records before the window are in its
   * base snapshot), or {@link ArchivedLog#NONE}: retention may drop what lies below before the
   * retention period, as no restore needs the data directory's copy.
   */
  public long archivedBelow(long tableId) {
    Live l = live.get(tableId);
    return l == null ? ArchivedLog.NONE : l.cursor + 1;
  }

  /**
   * The archive's health across tables with PITR on, for metrics: how many there are, how many fail
   * to archive now, and the largest lag of the latest restorable time behind {@code nowMillis}.
   */
  public record ArchiveHealth(int tables, int failing, long maxLagMillis) {}

  public ArchiveHealth archiveHealth(long nowMillis) {
    int tables = 0;
    int failing = 0;
    long maxLag = 0;
    for (Live l : live.values()) {
      tables++;
      maxLag = Math.max(maxLag, nowMillis - l.coveredUntil);
      if (l.failingSince != 0) {
        failing++;
      }
    }
    return new ArchiveHealth(tables, failing, maxLag);
  }

  /**
   * Passes every archived change record of a live table with PITR on to {@code visitor}, in seq
   * order (item history reads them); returns the last seq passed, or -1 when PITR is off.
   */
  public long readArchive(long tableId, Consumer<ChangeRecord> visitor) throws IOException {
    Live l = live.get(tableId);
    if (l == null) {
      return -1;
    }
    long applied = 0;
    try (SegmentReader segments = new SegmentReader(l.state.tableUuid(), applied, Long.MAX_VALUE)) {
      for (Segment seg; (seg = segments.next(applied)) != null; ) {
        for (ChangeRecord r : seg.records()) {
          if (r.seq() > applied) { // an overlapping segment re-shipped after a crash repeats some
            visitor.accept(r);
            applied = r.seq();
          }
        }
      }
    }
    return applied;
  }

  /** The lowest seq the change log must still keep for this table (retention must not pass it). */
  public long retentionFloor(long tableId) {
    Live l = live.get(tableId);
    return l == null ? Long.MAX_VALUE : l.cursor + 1;
  }

  /**
   * Called after a table with PITR on was removed from the catalog: archives its last records and
   * keeps its window restorable for the recovery period.
   */
  public void tableDeleted(Table table) {
    Live l;
    synchronized (this) {
      l = live.remove(table.id());
    }
    if (l == null) {
      return;
    }
    synchronized (l) {
      // Archive everything: a large backlog takes several bounded passes.
      for (int pass = 0; pass < 100_000 && !archive(l, true); pass++) {
        // keep going until the change log is read to its end
      }
      long now = clock.getAsLong();
      PitrState st = l.state.deleted(now);
      l.coveredUntil = Math.max(l.coveredUntil, now);
      try {
        // Nothing can be written to a deleted table: its archive is complete up to the deletion.
        repository.store().put(progressName(st.tableUuid(), now), new byte[0]);
        db.storage()
            .apply(
                new WriteSet().deleteMeta(stateKey(table.id())).deleteMeta(cursorKey(table.id())));
        writeStoredState(st);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      gone.put(st.tableUuid(), st);
    }
  }

  /** How often an idle table tells the store how far its archive is complete. */
  private static final long PROGRESS_EVERY_MILLIS = 60_000;

  /**
   * Records in the store that the archive of an idle table is complete up to now, so a server that
   * has only the store knows its latest restorable time. Older markers are removed.
   */
  private void writeProgress(Live l) {
    String uuid = l.state.tableUuid();
    try {
      String name = progressName(uuid, l.coveredUntil);
      repository.store().put(name, new byte[0]);
      for (String old : repository.store().list("pitr/" + uuid + "/progress/")) {
        if (old.compareTo(name) < 0) {
          repository.store().delete(old);
        }
      }
      l.lastProgressMillis = clock.getAsLong();
      archiveRecovered(l);
    } catch (IOException e) {
      archiveFailed(l, e);
    }
  }

  /**
   * Logs that archiving fails, once per episode: a full or unwritable store fails every pass (five
   * a second), and one warning with the reason says all there is to say. Guarded by {@code l}.
   */
  private void archiveFailed(Live l, Exception e) {
    if (StorageFullException.isNoSpace(e) && !(e instanceof StorageException)) {
      // The store (not the data directory) is full: backups are refused from now on.
      db.space().storeWriteFailed(e);
    }
    if (l.failingSince != 0) {
      LOG.debug("PITR archiving of table {} still fails: {}", l.state.tableName(), e.toString());
      return;
    }
    l.failingSince = clock.getAsLong();
    LOG.warn(
        "PITR archiving of table {} fails: {}{}. LatestRestorableDateTime stops advancing until"
            + " the backup store takes objects again; nothing is lost meanwhile (the change log"
            + " keeps every record not yet archived) and archiving retries every {} ms",
        l.state.tableName(),
        e.toString(),
        e.getCause() == null ? "" : " (" + e.getCause() + ")",
        config.tickMillis());
  }

  /** Ends an episode begun by {@link #archiveFailed}. Guarded by {@code l}. */
  private void archiveRecovered(Live l) {
    if (l.failingSince != 0) {
      LOG.info(
          "PITR archiving of table {} works again after {} s; the archive is catching up",
          l.state.tableName(),
          (clock.getAsLong() - l.failingSince) / 1000);
      l.failingSince = 0;
    }
  }

  private static String progressName(String uuid, long coveredUntil) {
    return String.format("pitr/%s/progress/%014d", uuid, coveredUntil);
  }

  // ---- restore --------------------------------------------------------------------------------

  /** A restorable history: a live table's, or a deleted incarnation's. */
  public record Source(PitrState state, Long liveTableId) {}

  /**
   * The histories a RestoreTableToPointInTime may mean, most recent first: the live table's (when
   * PITR is on), then those of deleted incarnations with the same name (DynamoDB restores those by
   * SourceTableArn) or known only from the store because their server was lost. An ARN does not
   * tell incarnations apart, so the caller picks the first whose window holds the instant. Answers
   * DynamoDB's error when there is none.
   */
  public List<Source> sources(String tableName, String tableArn) {
    String name = tableName != null ? tableName : Database.tableName(tableArn);
    List<Source> out = new ArrayList<>();
    Optional<Table> t = db.catalog().find(name).filter(Table::isUsable);
    if (t.isPresent()) {
      Live l = live.get(t.get().id());
      if (l != null) {
        out.add(new Source(l.state, l.tableId));
      }
    }
    long now = clock.getAsLong();
    gone.values().stream()
        .filter(s -> tableArn != null ? s.tableArn().equals(tableArn) : s.tableName().equals(name))
        .filter(s -> s.enabled() && !s.expired(now))
        .sorted(Comparator.comparingLong(PitrState::windowStartMillis).reversed())
        .forEach(s -> out.add(new Source(s, null)));
    if (out.isEmpty()) {
      if (t.isPresent()) {
        throw new DynamoException(
            WireError.POINT_IN_TIME_RECOVERY_UNAVAILABLE,
            "Point in time recovery is not enabled for table '" + name + "'");
      }
      throw new DynamoException(WireError.TABLE_NOT_FOUND, "Table not found: " + name);
    }
    return out;
  }

  /** [earliest, latest] of a source, in epoch millis. */
  public long[] window(Source source) {
    long now = clock.getAsLong();
    if (source.liveTableId() != null) {
      Live l = live.get(source.liveTableId());
      // No instant before the oldest base is restorable: normally that base is the window's
      // start, but if it failed the window starts at a retaken one, and until one exists it is
      // empty (earliest after latest), so the window never offers an instant no base covers.
      long covered = l.coveredUntil;
      long earliest =
          backups.bases(l.state.tableUuid()).stream()
              .mapToLong(b -> b.position().commitTimeMillis())
              .min()
              .orElse(covered + 1);
      return new long[] {Math.max(l.state.earliest(now), earliest), covered};
    }
    PitrState st = source.state();
    return new long[] {st.earliest(now), storedCoveredUntil(st.tableUuid())};
  }

  /** The newest instant the store alone can restore a gone incarnation to. */
  private long storedCoveredUntil(String uuid) {
    try {
      return PitrStore.coveredUntil(repository, uuid);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * What a RestoreTableToPointInTime restores: the history, the instant, and the definition the new
   * table starts from (a live table's current one, else the one its history recorded).
   */
  public record Choice(Source source, long instant, TableDefinition definition) {}

  /**
   * Picks the history whose window holds the instant ({@code at}, or the latest restorable one),
   * answering DynamoDB's errors when none does. Used for restores here and for other regions'.
   */
  public Choice choose(String sourceName, String sourceArn, Long at) {
    for (Source candidate : sources(sourceName, sourceArn)) {
      long[] window = window(candidate);
      long t = at == null ? window[1] : at;
      if (t >= window[0] && t <= window[1]) {
        TableDefinition def = definition(candidate.state());
        if (candidate.liveTableId() != null) {
          def = db.catalog().find(candidate.state().tableName()).map(Table::definition).orElse(def);
        }
        newestBaseAtOrBefore(candidate.state().tableUuid(), t);
        return new Choice(candidate, t, def);
      }
    }
    throw new DynamoException(
        WireError.INVALID_RESTORE_TIME,
        "RestoreDateTime must be between EarliestRestorableDateTime and"
            + " LatestRestorableDateTime.");
  }

  private static TableDefinition definition(PitrState st) {
    try {
      return JSON.treeToValue(st.definition(), TableDefinition.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("unreadable table definition in PITR state", e);
    }
  }

  /** Starts a restore of {@code source} as of {@code atMillis} into {@code target}. */
  public Table restore(Source source, long atMillis, TableDefinition target) {
    PitrState st = source.state();
    newestBaseAtOrBefore(st.tableUuid(), atMillis);
    return backups.startRestore(
        target,
        new RestoreSummary(null, st.tableArn(), atMillis),
        loader -> load(source, atMillis, target, loader));
  }

  /**
   * Loads {@code source} as of {@code atMillis}, shaped as {@code target}, into {@code loader}
   * without finishing it: the newest base at or before the instant with the archived log replayed
   * over it. A local restore loads into the new table; another region's restore streams it there.
   */
  public SnapshotLoader.Result load(
      Source source, long atMillis, TableDefinition target, BulkLoader loader) throws IOException {
    PitrState st = source.state();
    TableDefinition sourceDef = definition(st);
    BackupRecord base = chooseBase(st.tableUuid(), atMillis);
    Manifest manifest = repository.readManifest(base.manifestName());
    // A live table's restore takes its current indexes, which the base may not hold.
    TableDefinition baseDef =
        JSON.treeToValue(base.schema().get("definition"), TableDefinition.class);
    NavigableMap<byte[], Optional<Map<String, AttributeValue>>> overlay =
        replay(st.tableUuid(), sourceDef, base.position().seq(), atMillis);
    return SnapshotLoader.loadBackup(
        repository, manifest, overlay, target, SnapshotLoader.notInBase(baseDef, target), loader);
  }

  private BackupRecord newestBaseAtOrBefore(String uuid, long atMillis) {
    BackupRecord best = null;
    for (BackupRecord b : backups.bases(uuid)) {
      if (b.position().commitTimeMillis() <= atMillis
          && (best == null || b.position().seq() > best.position().seq())) {
        best = b;
      }
    }
    if (best == null) {
      // Told apart from the window check's message: this one means the history has no base
      // snapshot for the instant (a gone incarnation's pruned or failed base).
      throw new DynamoException(
          WireError.INVALID_RESTORE_TIME,
          "RestoreDateTime must be between EarliestRestorableDateTime and LatestRestorableDateTime:"
              + " no base snapshot of the table's history is at or before it.");
    }
    return best;
  }

  /** The newest base at or before the instant, waiting for it if it is still being written. */
  private BackupRecord chooseBase(String uuid, long atMillis) throws IOException {
    for (int attempt = 0; attempt < 6000; attempt++) {
      BackupRecord best = null;
      for (BackupRecord b : backups.bases(uuid)) {
        if (b.position().commitTimeMillis() <= atMillis
            && (best == null || b.position().seq() > best.position().seq())) {
          best = b;
        }
      }
      if (best == null) {
        throw new IOException("no PITR base snapshot at or before " + atMillis + " for " + uuid);
      }
      if ("AVAILABLE".equals(best.status())) {
        return best;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted waiting for a base snapshot", e);
      }
      BackupRecord current = backups.any(best.arn()).orElse(null);
      if (current == null) {
        throw new IOException("the base snapshot " + best.arn() + " failed");
      }
    }
    throw new IOException("the base snapshot for " + uuid + " did not complete");
  }

  /** Final images of every item changed after the base and at or before the instant. */
  private NavigableMap<byte[], Optional<Map<String, AttributeValue>>> replay(
      String uuid, TableDefinition def, long baseSeq, long atMillis) throws IOException {
    NavigableMap<byte[], Optional<Map<String, AttributeValue>>> overlay =
        SnapshotLoader.newOverlay();
    long applied = baseSeq;
    try (SegmentReader segments = new SegmentReader(uuid, applied, Long.MAX_VALUE)) {
      for (Segment seg; (seg = segments.next(applied)) != null; ) {
        if (seg.afterSeq() != Segment.UNKNOWN && seg.afterSeq() > applied) {
          throw new IOException(
              "the PITR archive of table incarnation "
                  + uuid
                  + " has a gap: segment "
                  + segments.name()
                  + " continues from seq "
                  + seg.afterSeq()
                  + ", but the archive before it ends at seq "
                  + applied
                  + " (a segment is missing from the backup store)");
        }
        for (ChangeRecord r : seg.records()) {
          if (r.seq() <= applied) {
            continue; // an overlapping segment re-shipped after a crash
          }
          if (r.commitTimeMillis() > atMillis) {
            return overlay;
          }
          overlay.put(
              ItemKeys.storageKey(def.keySchema(), r.key()), Optional.ofNullable(r.newImage()));
          applied = r.seq();
        }
      }
    }
    return overlay;
  }

  /**
   * The storage keys of the items the archive records as changed in {@code (afterSeq, throughSeq]},
   * or empty unless its segments hold every record of that range: they must link without a gap from
   * {@code afterSeq} and reach a record at {@code throughSeq}.
   */
  private Optional<NavigableSet<byte[]>> archivedChanges(
      String uuid, KeySchema keys, long afterSeq, long throughSeq) throws IOException {
    NavigableSet<byte[]> out = new TreeSet<>(Arrays::compareUnsigned);
    long applied = afterSeq;
    try (SegmentReader segments = new SegmentReader(uuid, applied, throughSeq)) {
      for (Segment seg; applied < throughSeq && (seg = segments.next(applied)) != null; ) {
        if (seg.afterSeq() == Segment.UNKNOWN || seg.afterSeq() > applied) {
          return Optional.empty();
        }
        for (ChangeRecord r : seg.records()) {
          if (r.seq() <= applied) {
            continue;
          }
          if (r.seq() > throughSeq) {
            break;
          }
          out.add(ItemKeys.storageKey(keys, r.key()));
          applied = r.seq();
        }
      }
    }
    return applied >= throughSeq ? Optional.of(out) : Optional.empty();
  }

  /**
   * A table's archived segments in order, read ahead several at a time (decrypted and
   * authenticated): those ending after a seq, up to the first that reaches a limit.
   */
  private final class SegmentReader implements AutoCloseable {
    private final List<String> names = new ArrayList<>();
    private final Transfers.Prefetch<byte[]> plaintexts;
    private int next;

    SegmentReader(String uuid, long afterSeq, long throughSeq) throws IOException {
      for (String name : repository.store().list(Segment.prefix(uuid))) {
        long end = Segment.parseName(name)[1];
        if (end > afterSeq) {
          names.add(name);
          if (end >= throughSeq) {
            break; // no later segment is needed
          }
        }
      }
      plaintexts =
          Transfers.prefetch(
              names,
              repository.store().transfersInFlight(),
              names.isEmpty() ? name -> null : repository.tableObjectReader(uuid));
    }

    /**
     * The next segment that ends after {@code applied}, or null after the last; ones that end
     * earlier (overlapping segments re-shipped after a crash) are passed over.
     */
    Segment next(long applied) throws IOException {
      while (next < names.size()) {
        String name = names.get(next++);
        byte[] plaintext = plaintexts.next();
        if (Segment.parseName(name)[1] > applied) {
          return Segment.decode(plaintext, name);
        }
      }
      return null;
    }

    /** The name of the segment {@link #next} returned last. */
    String name() {
      return names.get(next - 1);
    }

    @Override
    public void close() {
      plaintexts.close();
    }
  }

  // ---- retention ------------------------------------------------------------------------------

  /** Drops what lies wholly before each window and everything of expired incarnations. */
  public void pruneOnce() {
    long now = clock.getAsLong();
    for (Live l : live.values()) {
      synchronized (l) {
        pruneBefore(l.state.tableUuid(), l.state.earliest(now));
      }
    }
    for (PitrState st : List.copyOf(gone.values())) {
      if (st.expired(now)) {
        deleteArchive(st.tableUuid(), Long.MAX_VALUE, true);
        try {
          for (String n : repository.store().list("pitr/" + st.tableUuid() + "/")) {
            repository.store().delete(n);
          }
        } catch (IOException e) {
          LOG.warn("could not remove the PITR state of {}", st.tableUuid(), e);
        }
        gone.remove(st.tableUuid());
        LOG.info(
            "PITR history of deleted table {} ({}) expired and was removed",
            st.tableName(),
            st.tableUuid());
      } else if (st.deletedMillis() != null) {
        pruneBefore(st.tableUuid(), st.earliest(now));
      }
    }
  }

  /**
   * Keeps the newest base at or before {@code earliest} and everything after it, so every instant
   * from {@code earliest} on stays restorable.
   */
  private void pruneBefore(String uuid, long earliest) {
    List<BackupRecord> bases = new ArrayList<>(backups.bases(uuid));
    bases.removeIf(b -> !"AVAILABLE".equals(b.status()));
    bases.sort(Comparator.comparingLong(b -> b.position().seq()));
    BackupRecord keep = null;
    for (BackupRecord b : bases) {
      if (b.position().commitTimeMillis() <= earliest) {
        keep = b;
      }
    }
    if (keep == null) {
      return;
    }
    long keepSeq = keep.position().seq();
    for (BackupRecord b : bases) {
      if (b.position().seq() < keepSeq) {
        pruneBase(b);
      }
    }
    deleteArchive(uuid, keepSeq, false);
  }

  /** Deletes one base snapshot; one already gone (another prune got there first) is no error. */
  private void pruneBase(BackupRecord b) {
    try {
      backups.delete(b);
    } catch (DynamoException gone) {
      LOG.debug("PITR base {} not pruned: {}", b.arn(), gone.getMessage());
    } catch (IOException e) {
      LOG.warn("could not prune PITR base {}", b.arn(), e);
    }
  }

  /**
   * Deletes segments ending at or before {@code throughSeq}; with {@code bases}, every base too.
   */
  private void deleteArchive(String uuid, long throughSeq, boolean bases) {
    try {
      for (String n : repository.store().list(Segment.prefix(uuid))) {
        if (Segment.parseName(n)[1] <= throughSeq) {
          repository.store().delete(n);
        }
      }
      if (bases) {
        for (BackupRecord b : backups.bases(uuid)) {
          if ("AVAILABLE".equals(b.status())) {
            pruneBase(b);
          }
        }
        for (String n : repository.store().list("pitr/" + uuid + "/progress/")) {
          repository.store().delete(n);
        }
      }
    } catch (IOException e) {
      LOG.warn("could not prune the PITR archive of {}", uuid, e);
    }
  }

  @Override
  public void close() {
    stopping = true;
    Thread t = worker;
    if (t != null) {
      t.interrupt();
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
