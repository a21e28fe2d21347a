package dev.tidemark.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.backup.SnapshotLoader;
import dev.tidemark.storage.BulkLoader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The frames of cross-region restores. Protects: every entry the source's loader produced arrives,
 * in order, across frame boundaries, with the END frame's counters and entry count; a frame's
 * number is the one it was given; a truncated or padded frame, or an unknown kind, is refused
 * rather than loaded.
 */
class RestoreChannelTest {
  /** A loader that records what it is given. */
  private static final class Recording implements BulkLoader {
    final List<byte[]> keys = new ArrayList<>();
    final List<byte[]> values = new ArrayList<>();

    @Override
    public void add(byte[] key, byte[] value) {
      keys.add(key);
      values.add(value);
    }

    @Override
    public void finish() {}

    @Override
    public void close() {}
  }

  @Test
  void entriesCrossFrameBoundariesAndTheEndCarriesTheCounters() throws IOException {
    List<byte[]> frames = new ArrayList<>();
    RestoreChannel.FrameWriter writer = new RestoreChannel.FrameWriter(frames::add);
    byte[] value = new byte[300_000];
    int n = 40; // about 12 MB: several frames of about 4 MiB
    for (int i = 0; i < n; i++) {
      value[0] = (byte) i;
      writer.add(new byte[] {1, (byte) i}, value.clone());
    }
    writer.end(new SnapshotLoader.Result(n, 12_000_000L, Map.of(2, new long[] {5, 600})));
    assertThat(frames.size()).isGreaterThan(3);

    Recording loaded = new Recording();
    long entries = 0;
    RestoreChannel.Received end = null;
    for (int i = 0; i < frames.size(); i++) {
      byte[] numbered = RestoreChannel.numbered(frames.get(i), i + 1);
      RestoreChannel.Received r = RestoreChannel.read(numbered, loaded);
      assertThat(r.seq()).isEqualTo(i + 1);
      entries += r.entries();
      if (r.kind() == RestoreChannel.END) {
        end = r;
      }
    }
    assertThat(end).isNotNull();
    assertThat(end.sent()).isEqualTo(n).isEqualTo(entries);
    assertThat(end.result().itemCount()).isEqualTo(n);
    assertThat(end.result().sizeBytes()).isEqualTo(12_000_000L);
    assertThat(end.result().indexStats().get(2)).containsExactly(5, 600);
    for (int i = 0; i < n; i++) {
      assertThat(loaded.keys.get(i)).containsExactly(1, i);
      assertThat(loaded.values.get(i)[0]).isEqualTo((byte) i);
      assertThat(loaded.values.get(i)).hasSize(300_000);
    }
  }

  @Test
  void malformedFramesAreRefused() throws IOException {
    List<byte[]> frames = new ArrayList<>();
    RestoreChannel.FrameWriter writer = new RestoreChannel.FrameWriter(frames::add);
    writer.add(new byte[] {1, 1}, new byte[] {9, 9, 9});
    writer.end(new SnapshotLoader.Result(1, 3, Map.of()));
    byte[] entries = frames.get(0);
    byte[] padded = Arrays.copyOf(entries, entries.length + 1);
    assertThatThrownBy(() -> RestoreChannel.read(padded, new Recording()))
        .hasMessageContaining("trailing bytes");
    byte[] cut = Arrays.copyOf(entries, entries.length - 1);
    assertThatThrownBy(() -> RestoreChannel.read(cut, new Recording()))
        .isInstanceOf(IOException.class);
    byte[] unknown = entries.clone();
    unknown[0] = 42;
    assertThatThrownBy(() -> RestoreChannel.read(unknown, new Recording()))
        .hasMessageContaining("unknown restore frame kind 42");
    RestoreChannel.Received failure =
        assertNoEntries(
            RestoreChannel.read(RestoreChannel.failure("disk on fire"), new Recording()));
    assertThat(failure.failure()).isEqualTo("disk on fire");
  }

  private static RestoreChannel.Received assertNoEntries(RestoreChannel.Received r) {
    assertThat(r.entries()).isZero();
    return r;
  }
}
