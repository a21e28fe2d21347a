package dev.tidemark.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail on disk: a directory of append-only files of JSON lines ({@link AuditRecord}),
 * named {@code audit-<UTC start time>.jsonl} so that names sort in time order.
 *
 * <p><b>Durability.</b> {@link #append} only queues the record's bytes (a lock and a copy, no
 * system call), so a refused request on a network thread never waits for a disk. One writer thread
 * writes whatever has queued and then fsyncs, so records arriving together share one fsync.
 * Control-plane changes call {@link #awaitDurable} before their answer is sent: their record is on
 * disk first. Other records reach the disk within one write-and-fsync cycle.
 *
 * <p><b>Append-only, crash-safe.</b> A file is only ever appended to, and only by the server run
 * that created it: each start opens a new file and never writes to an old one again. A crash can
 * therefore leave at most a torn last line in the file of the run that crashed, which the reader
 * skips and counts ({@link AuditReader}); no record after it can be lost or garbled by it.
 *
 * <p><b>Rotation and retention.</b> A new file is started when the current one would pass {@link
 * AuditConfig#maxFileBytes} or is older than {@link AuditConfig#maxFileAge}; files whose last write
 * is older than {@link AuditConfig#retention} are deleted (checked at start, at each rotation and
 * every ten minutes).
 *
 * <p><b>Bounded memory.</b> At most {@link #MAX_QUEUED_BYTES} wait to be written. Past that (a disk
 * that stopped, a flood of refused requests faster than the disk) records that nobody waits for are
 * dropped and counted, and a record saying how many were dropped is written once the queue drains;
 * records of control-plane changes wait for room instead.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
  static final String PREFIX = "audit-";
  static final String SUFFIX = ".jsonl";
  static final int MAX_QUEUED_BYTES = 8 << 20;
  private static final long RETENTION_CHECK_MILLIS = TimeUnit.MINUTES.toMillis(10);
  private static final long WAIT_MILLIS = TimeUnit.SECONDS.toMillis(30);
  private static final DateTimeFormatter NAME_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

  private final Path dir;
  private final AuditConfig config;
  private final LongSupplier clock;
  private final Object lock = new Object();
  private final Thread writer;

  // Guarded by lock.
  private ByteArrayOutputStream queued = new ByteArrayOutputStream();
  private long appendedSeq;
  private long durableSeq;
  private long dropped;
  private IOException failure;
  private boolean closed;

  // The writer thread's own.
  private FileChannel file;
  private Path current;
  private long fileBytes;
  private long fileOpenedAt;
  private long lastRetentionCheck;

  private AuditLog(Path dir, AuditConfig config, LongSupplier clock) {
    this.dir = dir;
    this.config = config;
    this.clock = clock;
    this.writer = new Thread(this::writeLoop, "tidemark-audit");
    this.writer.setDaemon(true);
  }

  /** Creates the directory if needed, opens a new file and starts the writer. */
  public static AuditLog open(Path dir, AuditConfig config, LongSupplier clock) throws IOException {
    Files.createDirectories(dir);
    AuditLog a = new AuditLog(dir, config, clock);
    a.applyRetention();
    a.openNewFile();
    a.writer.start();
    return a;
  }

  public Path directory() {
    return dir;
  }

  /** The file being written, for tests and the start-up log line. */
  public synchronized Path currentFile() {
    return current;
  }

  /**
   * Queues a record; never touches the disk.
   *
   * @return its sequence number, for {@link #awaitDurable}; 0 when it was dropped
   */
  public long append(AuditRecord record) {
    byte[] line = record.toLine();
    synchronized (lock) {
      if (closed || queued.size() + line.length > MAX_QUEUED_BYTES) {
        if (dropped++ == 0) {
          log.error(
              "The audit trail in {} cannot keep up ({}): records of refused requests are dropped"
                  + " and counted until it does",
              dir,
              closed ? "closed" : failure != null ? failure.getMessage() : "queue full");
        }
        return 0;
      }
      queued.write(line, 0, line.length);
      lock.notifyAll();
      return ++appendedSeq;
    }
  }

  /**
   * Queues a record and returns once it is on disk, waiting for room in the queue if need be.
   *
   * @throws IOException when it could not be written (the disk failed, or the log is closed)
   */
  public void appendDurably(AuditRecord record) throws IOException {
    byte[] line = record.toLine();
    long seq;
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    synchronized (lock) {
      while (!closed && queued.size() > 0 && queued.size() + line.length > MAX_QUEUED_BYTES) {
        waitUntil(deadline);
      }
      if (closed) {
        throw new IOException("the audit trail is closed");
      }
      queued.write(line, 0, line.length);
      seq = ++appendedSeq;
      lock.notifyAll();
    }
    awaitDurable(seq, deadline);
  }

  /** Waits until every record up to {@code seq} is on disk. */
  public void awaitDurable(long seq) throws IOException {
    awaitDurable(seq, System.currentTimeMillis() + WAIT_MILLIS);
  }

  private void awaitDurable(long seq, long deadline) throws IOException {
    synchronized (lock) {
      while (durableSeq < seq) {
        if (failure != null) {
          throw new IOException("the audit trail in " + dir + " cannot be written", failure);
        }
        if (closed && !writer.isAlive()) {
          throw new IOException("the audit trail is closed");
        }
        waitUntil(deadline);
      }
    }
  }

  private void waitUntil(long deadline) throws IOException {
    long left = deadline - System.currentTimeMillis();
    if (left <= 0) {
      throw new IOException("the audit trail in " + dir + " did not reach the disk in time");
    }
    try {
      lock.wait(left);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the audit trail", e);
    }
  }

  /** The last write failure, or null while records reach the disk. */
  public IOException failure() {
    synchronized (lock) {
      return failure;
    }
  }

  private void writeLoop() {
    while (true) {
      byte[] batch;
      long upTo;
      synchronized (lock) {
        while (queued.size() == 0 && dropped == 0 && !closed) {
          try {
            lock.wait(RETENTION_CHECK_MILLIS);
          } catch (InterruptedException e) {
            closed = true;
          }
          if (queued.size() == 0 && !closed) {
            break; // woke from the timeout: a chance to apply retention
          }
        }
        if (dropped > 0 && queued.size() < MAX_QUEUED_BYTES / 2 && failure == null) {
          byte[] note = droppedNotice(dropped).toLine();
          queued.write(note, 0, note.length);
          ++appendedSeq;
          log.error("The audit trail dropped {} records of refused requests", dropped);
          dropped = 0;
        }
        if (queued.size() == 0 && closed) {
          break;
        }
        batch = queued.toByteArray();
        queued = new ByteArrayOutputStream();
        upTo = appendedSeq;
      }
      try {
        maintain(batch.length);
        if (batch.length > 0) {
          ByteBuffer b = ByteBuffer.wrap(batch);
          while (b.hasRemaining()) {
            file.write(b);
          }
          fileBytes += batch.length;
          file.force(false);
        }
        synchronized (lock) {
          durableSeq = Math.max(durableSeq, upTo);
          if (failure != null) {
            log.info("The audit trail in {} is written again", dir);
          }
          failure = null;
          lock.notifyAll();
        }
      } catch (IOException | RuntimeException e) {
        IOException io = e instanceof IOException x ? x : new IOException(e);
        synchronized (lock) {
          if (failure == null) {
            log.error("The audit trail in {} cannot be written; retrying every second", dir, io);
          }
          failure = io;
          // Put the batch back in front: nothing is lost, though lines the failed file already
          // took may appear twice.
          ByteArrayOutputStream again = new ByteArrayOutputStream();
          again.write(batch, 0, batch.length);
          again.write(queued.toByteArray(), 0, queued.size());
          queued = again;
          lock.notifyAll();
        }
        closeFile();
        sleepQuietly(1000);
        if (isClosed()) {
          return;
        }
      }
    }
    closeFile();
  }

  /** Rotates before a batch that would overflow the file or into an old file; retention. */
  private void maintain(int nextBytes) throws IOException {
    long now = clock.getAsLong();
    if (file == null) {
      openNewFile();
    } else if ((fileBytes > 0 && fileBytes + nextBytes > config.maxFileBytes())
        || now - fileOpenedAt >= config.maxFileAge().toMillis()) {
      closeFile();
      openNewFile();
      applyRetention();
    }
    if (now - lastRetentionCheck >= RETENTION_CHECK_MILLIS) {
      applyRetention();
    }
  }

  private void openNewFile() throws IOException {
    long now = clock.getAsLong();
    String stamp = NAME_TIME.format(Instant.ofEpochMilli(now));
    for (int n = 0; ; n++) {
      Path p = dir.resolve(PREFIX + stamp + (n == 0 ? "" : "-" + n) + SUFFIX);
      try {
        Files.createFile(p);
      } catch (FileAlreadyExistsException e) {
        continue;
      }
      try {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system: the directory's permissions are all there is.
      }
      file = FileChannel.open(p, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      synchronized (this) {
        current = p;
      }
      fileBytes = 0;
      fileOpenedAt = now;
      syncDirectory();
      return;
    }
  }

  /** The new file's name must survive a crash too, or its synced records would be unreachable. */
  private void syncDirectory() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // Some platforms cannot open a directory; the file's own fsync is all they offer.
    }
  }

  private void closeFile() {
    if (file != null) {
      try {
        file.close();
      } catch (IOException e) {
        log.warn("Closing audit file {} failed", current, e);
      }
      file = null;
    }
  }

  /** Deletes files (never the current one) last written before the retention period. */
  void applyRetention() {
    long now = clock.getAsLong();
    lastRetentionCheck = now;
    long cutoff = now - config.retention().toMillis();
    for (Path p : files(dir)) {
      if (p.equals(current)) {
        continue;
      }
      try {
        if (Files.getLastModifiedTime(p).toMillis() < cutoff) {
          Files.delete(p);
          log.info("Audit file {} is past the retention of {}: deleted", p, config.retention());
        }
      } catch (IOException e) {
        log.warn("Could not apply retention to audit file {}", p, e);
      }
    }
  }

  /** The audit files of a directory, oldest first. */
  public static List<Path> files(Path dir) {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(
              p -> {
                String n = p.getFileName().toString();
                return n.startsWith(PREFIX) && n.endsWith(SUFFIX);
              })
          .sorted()
          .forEach(out::add);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out;
  }

  private AuditRecord droppedNotice(long count) {
    return new AuditRecord(
        clock.getAsLong(),
        null,
        null,
        false,
        null,
        false,
        "tidemark:AuditRecordsDropped",
        false,
        List.of(),
        AuditRecord.Outcome.Failed,
        "AuditQueueFull",
        count
            + " records of refused requests were dropped because the audit trail could not keep"
            + " up");
  }

  private boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Writes and syncs everything queued, then stops the writer. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
    try {
      writer.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
