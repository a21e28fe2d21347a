package dev.tidemark.space;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.storage.StorageFullException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The free-space guard's episodes, driven by a volume whose free space the test sets. */
class DiskSpaceTest {
  private static final long MIB = 1L << 20;

  private static final class FakeVolume implements Volume {
    final AtomicLong free = new AtomicLong(100 * MIB);

    @Override
    public String path() {
      return "/fake";
    }

    @Override
    public long usableBytes() {
      return free.get();
    }

    @Override
    public long totalBytes() {
      return 100 * MIB;
    }
  }

  private final FakeVolume data = new FakeVolume();
  private final FakeVolume store = new FakeVolume();
  private final AtomicBoolean engineRefuses = new AtomicBoolean();
  private final AtomicInteger usageAsked = new AtomicInteger();
  private final DiskSpace space =
      new DiskSpace(
          data,
          store,
          16 * MIB,
          () -> {
            if (engineRefuses.get()) {
              throw new StorageFullException("probe: the disk is full", null);
            }
          },
          () -> {
            usageAsked.incrementAndGet();
            return "tables 1 MiB";
          },
          null);

  private static void assertRefused(Runnable check, String message) {
    assertThatThrownBy(check::run)
        .isInstanceOfSatisfying(
            DynamoException.class,
            e -> {
              assertThat(e.error()).isEqualTo(WireError.SERVICE_UNAVAILABLE);
              assertThat(e.error().httpStatus()).isEqualTo(503);
              assertThat(e.getMessage()).isEqualTo(message);
            });
  }

  // Writes are refused below the reserve with the retryable 503 and a message saying why, and
  // allowed again only once the space is back above the reserve plus an eighth (no flapping).
  @Test
  void refusesBelowTheReserveAndResumesAboveItWithHysteresis() {
    space.sampleOnce();
    assertThatCode(space::checkDataWritable).doesNotThrowAnyException();
    data.free.set(15 * MIB);
    space.sampleOnce();
    assertRefused(
        space::checkDataWritable,
        "The data directory's disk is full; writes resume when space is freed.");
    assertThatCode(space::checkStoreWritable).doesNotThrowAnyException();
    data.free.set(17 * MIB);
    space.sampleOnce();
    assertThat(space.dataFull()).as("still inside the hysteresis band").isTrue();
    data.free.set(19 * MIB);
    space.sampleOnce();
    assertThat(space.dataFull()).isFalse();
    assertThatCode(space::checkDataWritable).doesNotThrowAnyException();
  }

  // The episode is described once (the usage is computed once), however many requests it refuses.
  @Test
  void describesAnEpisodeOnceAndCountsRefusals() {
    data.free.set(MIB);
    for (int i = 0; i < 50; i++) {
      space.sampleOnce();
      assertThatThrownBy(space::checkDataWritable).isInstanceOf(DynamoException.class);
    }
    assertThat(usageAsked).hasValue(1);
    DiskSpace.VolumeStatus status = space.status().get(0);
    assertThat(status.full()).isTrue();
    assertThat(status.refusedSinceFull()).isEqualTo(50);
    assertThat(status.freeBytes()).isEqualTo(MIB);
  }

  // ENOSPC from the engine starts an episode at once, between samples; it ends only when the
  // engine takes a write again, whatever the free space says.
  @Test
  void engineOutOfSpaceStartsAnEpisodeThatEndsWhenTheEngineRecovers() {
    space.sampleOnce();
    engineRefuses.set(true);
    DynamoException refusal =
        space.dataWriteFailed(
            new StorageFullException("write failed", new IOException("No space left on device")));
    assertThat(refusal.error()).isEqualTo(WireError.SERVICE_UNAVAILABLE);
    assertThat(space.dataFull()).isTrue();
    space.sampleOnce();
    assertThat(space.dataFull()).as("plenty of space, but the engine still refuses").isTrue();
    engineRefuses.set(false);
    space.sampleOnce();
    assertThat(space.dataFull()).isFalse();
  }

  // The backup store has its own episode and message; table writes are unaffected.
  @Test
  void backupStoreFullRefusesBackupsOnly() {
    store.free.set(MIB);
    space.sampleOnce();
    assertRefused(
        space::checkStoreWritable,
        "The backup store's disk is full; backups resume when space is freed.");
    assertThatCode(space::checkDataWritable).doesNotThrowAnyException();
  }

  // The unlimited guard (in-memory servers, tests) never refuses.
  @Test
  void unlimitedNeverRefuses() {
    DiskSpace.UNLIMITED.sampleOnce();
    assertThatCode(DiskSpace.UNLIMITED::checkDataWritable).doesNotThrowAnyException();
    assertThatCode(DiskSpace.UNLIMITED::checkStoreWritable).doesNotThrowAnyException();
  }

  // The reserve file is written when there is room, released at start when the disk is below the
  // reserve, and holds real (non-sparse) bytes.
  @Test
  void reserveFileIsReleasedBelowTheReserveAndRewrittenWithRoom(@TempDir Path dir)
      throws IOException {
    ReserveFile reserve = new ReserveFile(dir, 8 * MIB);
    assertThat(reserve.bytes()).isEqualTo(2 * MIB);
    assertThat(reserve.restoreIfRoom(9 * MIB, 8 * MIB, MIB)).as("no room for it").isFalse();
    assertThat(reserve.restoreIfRoom(11 * MIB, 8 * MIB, MIB)).isTrue();
    assertThat(Files.size(reserve.path())).isEqualTo(2 * MIB);
    assertThat(reserve.restoreIfRoom(100 * MIB, 8 * MIB, MIB)).as("already there").isFalse();
    FakeVolume volume = new FakeVolume();
    volume.free.set(9 * MIB);
    assertThat(reserve.releaseIfBelow(volume, 8 * MIB)).isZero();
    volume.free.set(7 * MIB);
    assertThat(reserve.releaseIfBelow(volume, 8 * MIB)).isEqualTo(2 * MIB);
    assertThat(reserve.exists()).isFalse();
    assertThat(ReserveFile.sizeFor(10L << 30)).isEqualTo(64 * MIB);
  }

  @Test
  void defaultReserveIsFivePercentAtMost512MiB() {
    assertThat(DiskSpace.defaultMinFree(1L << 30)).isEqualTo((1L << 30) / 20);
    assertThat(DiskSpace.defaultMinFree(1L << 40)).isEqualTo(512 * MIB);
  }
}
