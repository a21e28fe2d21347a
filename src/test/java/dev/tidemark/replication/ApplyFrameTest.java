package dev.tidemark.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.errors.DynamoException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The binary frame replicated writes travel in: what a sender frames is exactly what the receiver
 * applies (keys, images, deletes, stamps, times, the fill flag and the watermark), and a frame that
 * is cut short, padded or lies about its sizes is refused as a whole with ValidationException
 * before anything is applied.
 */
class ApplyFrameTest {
  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] sample() {
    ApplyFrame.Writer w = new ApplyFrame.Writer();
    w.add(bytes("key-1"), bytes("image-1"), bytes("stamp-1"), 11);
    w.add(bytes("key-2"), null, bytes("stamp-2"), 12);
    return w.frame("tâble", "group-1", false, 1_234L);
  }

  @Test
  void aFrameDecodesToWhatWasFramed() {
    ApplyFrame.Decoded d = ApplyFrame.decode(sample());
    assertThat(d.table()).isEqualTo("tâble");
    assertThat(d.groupId()).isEqualTo("group-1");
    assertThat(d.fill()).isFalse();
    assertThat(d.through()).isEqualTo(1_234L);
    assertThat(d.records()).hasSize(2);
    ApplyFrame.Shipped first = d.records().get(0);
    assertThat(first.storageKey()).isEqualTo(bytes("key-1"));
    assertThat(first.image()).isEqualTo(bytes("image-1"));
    assertThat(first.stamp()).isEqualTo(bytes("stamp-1"));
    assertThat(first.commitTime()).isEqualTo(11);
    assertThat(d.records().get(1).image()).as("a delete").isNull();
    assertThat(d.records().get(1).commitTime()).isEqualTo(12);
  }

  @Test
  void aFillWithoutWatermarkAndAnEmptyFrameDecode() {
    ApplyFrame.Decoded d = ApplyFrame.decode(new ApplyFrame.Writer().frame("t", "g", true, null));
    assertThat(d.fill()).isTrue();
    assertThat(d.through()).isNull();
    assertThat(d.records()).isEmpty();
  }

  @Test
  void everyTruncationAndTrailingBytesAreRefused() {
    byte[] frame = sample();
    for (int cut = 0; cut < frame.length; cut++) {
      byte[] shorter = Arrays.copyOf(frame, cut);
      assertThatThrownBy(() -> ApplyFrame.decode(shorter))
          .as("cut at %d", cut)
          .isInstanceOf(DynamoException.class)
          .hasMessageStartingWith("malformed replication frame");
    }
    byte[] longer = Arrays.copyOf(frame, frame.length + 1);
    assertThatThrownBy(() -> ApplyFrame.decode(longer))
        .hasMessageContaining("bytes after the last record");
  }

  @Test
  void aLyingCountOrLengthIsRefusedWithoutAllocatingIt() {
    byte[] frame = new ApplyFrame.Writer().frame("t", "g", false, null);
    // The count is the last int of an empty frame.
    frame[frame.length - 4] = 0x7f;
    assertThatThrownBy(() -> ApplyFrame.decode(frame)).hasMessageContaining("record count");
    byte[] badName = sample();
    badName[1] = 0x7f; // the table name's length
    assertThatThrownBy(() -> ApplyFrame.decode(badName)).hasMessageContaining("a field of");
    byte[] badVersion = sample();
    badVersion[0] = 9;
    assertThatThrownBy(() -> ApplyFrame.decode(badVersion)).hasMessageContaining("version");
  }
}
