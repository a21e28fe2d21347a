package dev.tidemark.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protects the audit trail's file discipline: records synced by {@code appendDurably} are on disk
 * when it returns; files rotate by size and age and are read back in order; retention deletes only
 * old files; a torn last line (a crash mid-write) is skipped and counted while every complete
 * record before it and every record of the next run survive; files are owner-only.
 */
class AuditLogTest {
  @TempDir Path dir;
  private final AtomicLong clock = new AtomicLong(1_780_000_000_000L);

  private AuditConfig config(long maxBytes, Duration age, Duration retention) {
    return new AuditConfig(dir, maxBytes, age, retention);
  }

  private AuditRecord record(int i) {
    return new AuditRecord(
        clock.get(),
        "arn:aws:iam::123456789012:user/u" + i,
        "AKIA" + i,
        true,
        "127.0.0.1",
        false,
        "dynamodb:CreateTable",
        false,
        List.of("arn:aws:dynamodb:us-east-1:123456789012:table/T" + i),
        AuditRecord.Outcome.Success,
        null,
        null);
  }

  private List<AuditRecord> readAll() throws Exception {
    List<AuditRecord> out = new ArrayList<>();
    AuditReader.read(dir, AuditReader.Filter.ALL, out::add, null);
    return out;
  }

  @Test
  void durableAppendsAreOnDiskWhenTheyReturnAndRoundTrip() throws Exception {
    try (AuditLog log =
        AuditLog.open(dir, config(1 << 20, Duration.ofDays(1), Duration.ofDays(2)), clock::get)) {
      log.appendDurably(record(1));
      // No close, no flush: the line is already in the file.
      String text = Files.readString(log.currentFile());
      assertThat(text)
          .endsWith("\n")
          .contains("\"identity\":\"arn:aws:iam::123456789012:user/u1\"");
      assertThat(AuditRecord.parse(text.strip())).isEqualTo(record(1));
      long seq = log.append(record(2));
      log.awaitDurable(seq);
      assertThat(readAll()).containsExactly(record(1), record(2));
      assertThat(
              java.nio.file.attribute.PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(log.currentFile())))
          .isEqualTo("rw-------");
    }
  }

  @Test
  void rotatesBySizeAndByAgeAndReadsInOrder() throws Exception {
    int lineBytes = record(1).toLine().length;
    try (AuditLog log =
        AuditLog.open(
            dir,
            config(Math.max(4096, lineBytes * 3L), Duration.ofHours(1), Duration.ofDays(1)),
            clock::get)) {
      int n = 3 * (4096 / lineBytes + 1);
      for (int i = 0; i < n; i++) {
        clock.incrementAndGet();
        log.appendDurably(record(i));
      }
      int bySize = AuditLog.files(dir).size();
      assertThat(bySize).isGreaterThanOrEqualTo(3);
      for (Path p : AuditLog.files(dir)) {
        assertThat(Files.size(p)).isLessThanOrEqualTo(Math.max(4096, lineBytes * 3L));
      }
      clock.addAndGet(Duration.ofHours(1).toMillis());
      log.appendDurably(record(n));
      assertThat(AuditLog.files(dir)).hasSize(bySize + 1);
      List<AuditRecord> all = readAll();
      assertThat(all).hasSize(n + 1);
      for (int i = 0; i <= n; i++) {
        assertThat(all.get(i).identity()).endsWith("/u" + i);
      }
    }
  }

  @Test
  void retentionDeletesOnlyFilesPastIt() throws Exception {
    try (AuditLog log =
        AuditLog.open(dir, config(4096, Duration.ofHours(1), Duration.ofDays(2)), clock::get)) {
      log.appendDurably(record(1));
    }
    Path old = AuditLog.files(dir).get(0);
    Files.setLastModifiedTime(
        old, FileTime.fromMillis(clock.get() - Duration.ofDays(3).toMillis()));
    clock.addAndGet(1000);
    try (AuditLog log =
        AuditLog.open(dir, config(4096, Duration.ofHours(1), Duration.ofDays(2)), clock::get)) {
      log.appendDurably(record(2));
      assertThat(old).doesNotExist();
      Path kept = log.currentFile();
      Files.setLastModifiedTime(
          kept, FileTime.fromMillis(clock.get() - Duration.ofDays(1).toMillis()));
    }
    clock.addAndGet(1000);
    try (AuditLog log =
        AuditLog.open(dir, config(4096, Duration.ofHours(1), Duration.ofDays(2)), clock::get)) {
      log.appendDurably(record(3));
    }
    assertThat(readAll())
        .extracting(AuditRecord::identity)
        .containsExactly("arn:aws:iam::123456789012:user/u2", "arn:aws:iam::123456789012:user/u3");
  }

  @Test
  void aTornLastLineIsSkippedAndTheNextRunWritesANewFile() throws Exception {
    try (AuditLog log =
        AuditLog.open(dir, config(1 << 20, Duration.ofDays(1), Duration.ofDays(2)), clock::get)) {
      log.appendDurably(record(1));
      log.appendDurably(record(2));
    }
    Path crashed = AuditLog.files(dir).get(0);
    // The crash: half of a third record reached the disk, then zeros a file system may expose.
    byte[] third = record(3).toLine();
    Files.write(
        crashed, java.util.Arrays.copyOf(third, third.length / 2), StandardOpenOption.APPEND);
    Files.write(crashed, new byte[64], StandardOpenOption.APPEND);
    long before = Files.size(crashed);

    clock.addAndGet(1000);
    try (AuditLog log =
        AuditLog.open(dir, config(1 << 20, Duration.ofDays(1), Duration.ofDays(2)), clock::get)) {
      log.appendDurably(record(4));
      assertThat(log.currentFile()).isNotEqualTo(crashed);
    }
    assertThat(Files.size(crashed)).as("an old file is never written again").isEqualTo(before);
    List<AuditRecord> all = new ArrayList<>();
    AuditReader.Summary s = AuditReader.read(dir, AuditReader.Filter.ALL, all::add, null);
    assertThat(all).extracting(AuditRecord::accessKeyId).containsExactly("AKIA1", "AKIA2", "AKIA4");
    assertThat(s.torn()).isEqualTo(1);
    assertThat(s.files()).isEqualTo(2);
    assertThat(new String(Files.readAllBytes(crashed), StandardCharsets.UTF_8)).startsWith("{");
  }
}
