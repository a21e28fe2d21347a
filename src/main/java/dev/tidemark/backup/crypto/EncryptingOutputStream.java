package dev.tidemark.backup.crypto;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;

/**
 * Encrypts a stream into object format version 2 (Tink's streaming AEAD under a per-object keyset,
 * {@link EnvelopeHeader}) without holding more than one segment in memory.
 *
 * <p>Call {@link #finish()} after the last write: it seals the final segment. {@link #close()}
 * without {@code finish()} deliberately does <em>not</em> seal it, so an upload abandoned by an
 * exception can never look like a complete, shorter object; readers reject it.
 */
public final class EncryptingOutputStream extends OutputStream {
  private final OutputStream sink;
  private final Counting counted;
  private final OutputStream tink;
  private long plaintextBytes;
  private boolean finished;
  private boolean closed;

  public EncryptingOutputStream(OutputStream sink, SymmetricKey key, String objectName)
      throws IOException {
    this(sink, key, objectName, ObjectEncryption.DEFAULT_CHUNK_SIZE);
  }

  /**
   * @param segmentSize ciphertext bytes per segment (Tink's segment size; every segment but the
   *     last is exactly this long), {@value EnvelopeHeader#MIN_SEGMENT_SIZE} to 16 MiB
   */
  public EncryptingOutputStream(
      OutputStream sink, SymmetricKey key, String objectName, int segmentSize) throws IOException {
    if (segmentSize < EnvelopeHeader.MIN_SEGMENT_SIZE
        || segmentSize > ObjectHeader.MAX_CHUNK_SIZE) {
      throw new IllegalArgumentException(
          "segment size must be "
              + EnvelopeHeader.MIN_SEGMENT_SIZE
              + ".."
              + ObjectHeader.MAX_CHUNK_SIZE);
    }
    EnvelopeHeader header = EnvelopeHeader.create(key, objectName, segmentSize);
    this.sink = sink;
    this.counted = new Counting(sink);
    counted.write(header.encoded());
    try {
      this.tink = header.streamingAead().newEncryptingStream(counted, header.streamAad(objectName));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Tink refused its own keyset", e);
    }
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (finished || closed) {
      throw new IOException("stream is already finished or closed");
    }
    tink.write(b, off, len);
    plaintextBytes += len;
  }

  /** Seals the final segment (even when empty) and flushes the sink, leaving it open. */
  public void finish() throws IOException {
    if (closed) {
      throw new IOException("stream is closed");
    }
    if (!finished) {
      // Closing Tink's stream seals its last segment; Counting keeps the sink itself open.
      tink.close();
      finished = true;
      sink.flush();
    }
  }

  /** Closes the sink; without a prior {@link #finish()} the object stays incomplete. */
  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      sink.close();
    }
  }

  @Override
  public void flush() throws IOException {
    sink.flush();
  }

  public long plaintextBytes() {
    return plaintextBytes;
  }

  /** Bytes written to the sink so far; after {@link #finish()}, the object's stored size. */
  public long storedBytes() {
    return counted.count;
  }

  /** Counts what reaches the sink, and does not pass a close on to it. */
  private static final class Counting extends FilterOutputStream {
    private long count;

    Counting(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}
