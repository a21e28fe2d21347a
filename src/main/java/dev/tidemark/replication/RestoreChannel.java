package dev.tidemark.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.backup.BackupService;
import dev.tidemark.backup.SnapshotLoader;
import dev.tidemark.storage.BulkLoader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The wire of cross-region restores, under {@code /tidemark/peer/restore/} on the API port ({@link
 * PeerServicesEndpoint}, {@link PeerCaller}): requests are small JSON documents signed like
 * replication traffic, answers are signed by the source region.
 *
 * <p>A restored image travels as numbered frames: {@code kind (1 byte) | seq (int) | body}. An
 * ENTRIES frame's body is {@code count (int)} then per entry {@code key length (int) | key | value
 * length (int) | value}, in the strictly increasing key order a bulk load needs. The END frame's
 * body is the JSON of the counters the new table starts with and the number of entries sent, which
 * the destination checks against what it loaded; FAILURE carries the source's error; PREPARING
 * (unnumbered) says the next frame is not ready yet.
 */
final class RestoreChannel {
  /** The {@link PeerServicesEndpoint} service name: {@code /tidemark/peer/restore/<op>}. */
  static final String SERVICE = "restore";

  static final byte ENTRIES = 0;
  static final byte END = 1;
  static final byte FAILURE = 2;
  static final byte PREPARING = 3;

  /** Entries per frame stop past this many bytes (the last entry may pass it, up to 400 KB). */
  static final int FRAME_BYTES = 4 << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  private RestoreChannel() {}

  static byte[] preparing() {
    return new byte[] {PREPARING, 0, 0, 0, 0};
  }

  static byte[] failure(String message) {
    return withText(FAILURE, message);
  }

  /** A copy of {@code frame} carrying number {@code seq}. */
  static byte[] numbered(byte[] frame, int seq) {
    byte[] out = frame.clone();
    out[1] = (byte) (seq >>> 24);
    out[2] = (byte) (seq >>> 16);
    out[3] = (byte) (seq >>> 8);
    out[4] = (byte) seq;
    return out;
  }

  private static byte[] withText(byte kind, String text) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(kind);
      out.writeInt(0);
      byte[] t = text.getBytes(StandardCharsets.UTF_8);
      out.writeInt(t.length);
      out.write(t);
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The session ended (cancelled, or nobody pulled): the producer stops. */
  static final class Cancelled extends RuntimeException {
    Cancelled(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * A loader that cuts the sorted entries into ENTRIES frames and hands each to {@code sink} (which
   * may block, or throw {@link Cancelled}); {@link #end} sends the rest and the END frame.
   */
  static final class FrameWriter implements BulkLoader {
    private final Consumer<byte[]> sink;
    private ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private DataOutputStream out;
    private int count;
    private long total;

    FrameWriter(Consumer<byte[]> sink) {
      this.sink = sink;
      reset();
    }

    private void reset() {
      bytes = new ByteArrayOutputStream();
      out = new DataOutputStream(bytes);
      count = 0;
    }

    @Override
    public void add(byte[] key, byte[] value) {
      try {
        out.writeInt(key.length);
        out.write(key);
        out.writeInt(value.length);
        out.write(value);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      count++;
      total++;
      if (bytes.size() >= FRAME_BYTES) {
        flush();
      }
    }

    private void flush() {
      if (count == 0) {
        return;
      }
      byte[] body = bytes.toByteArray();
      ByteArrayOutputStream frame = new ByteArrayOutputStream(body.length + 9);
      frame.write(ENTRIES);
      frame.writeBytes(new byte[4]);
      frame.writeBytes(
          new byte[] {
            (byte) (count >>> 24), (byte) (count >>> 16), (byte) (count >>> 8), (byte) count
          });
      frame.writeBytes(body);
      reset();
      sink.accept(frame.toByteArray());
    }

    /** Sends what is left and the END frame with the loaded counters. */
    void end(SnapshotLoader.Result result) {
      flush();
      ObjectNode o = JSON.createObjectNode();
      o.put("itemCount", result.itemCount()).put("sizeBytes", result.sizeBytes());
      o.put("entries", total);
      ObjectNode stats = o.putObject("indexStats");
      result
          .indexStats()
          .forEach((n, s) -> stats.putArray(Integer.toString(n)).add(s[0]).add(s[1]));
      sink.accept(withText(END, o.toString()));
    }

    @Override
    public void finish() {
      // The destination finishes its own load once the END frame has been checked.
    }

    @Override
    public void close() {}
  }

  /** What the destination learns from one frame. */
  record Received(
      byte kind, int seq, int entries, SnapshotLoader.Result result, long sent, String failure) {}

  /**
   * Reads one frame, adding its entries to {@code loader}.
   *
   * @throws IOException if the frame is malformed
   */
  static Received read(byte[] frame, BulkLoader loader) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(frame));
    byte kind = in.readByte();
    int seq = in.readInt();
    switch (kind) {
      case ENTRIES -> {
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
          byte[] key = new byte[in.readInt()];
          in.readFully(key);
          byte[] value = new byte[in.readInt()];
          in.readFully(value);
          loader.add(key, value);
        }
        if (in.available() != 0) {
          throw new IOException("restore frame " + seq + " has trailing bytes");
        }
        return new Received(kind, seq, count, null, 0, null);
      }
      case END, FAILURE -> {
        byte[] t = new byte[in.readInt()];
        in.readFully(t);
        String text = new String(t, StandardCharsets.UTF_8);
        if (kind == FAILURE) {
          return new Received(kind, seq, 0, null, 0, text);
        }
        JsonNode o = JSON.readTree(text);
        return new Received(
            kind,
            seq,
            0,
            new SnapshotLoader.Result(
                o.path("itemCount").asLong(),
                o.path("sizeBytes").asLong(),
                BackupService.indexStats(o)),
            o.path("entries").asLong(),
            null);
      }
      case PREPARING -> {
        return new Received(kind, seq, 0, null, 0, null);
      }
      default -> throw new IOException("unknown restore frame kind " + kind);
    }
  }
}
