package dev.tidemark.backup.crypto;

import java.io.IOException;
import java.io.OutputStream;
import java.security.SecureRandom;

/**
 * Encrypts a stream into the chunked object format without holding more than one chunk in memory.
 *
 * <p>Call {@link #finish()} after the last write: it seals the final chunk. {@link #close()}
 * without {@code finish()} deliberately does <em>not</em> seal it, so an upload abandoned by an
 * exception can never look like a complete, shorter object; readers reject it as truncated.
 */
public final class EncryptingOutputStream extends OutputStream {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final OutputStream sink;
  private final ChunkCipher cipher;
  private final byte[] plain;
  private final byte[] sealed;
  private int filled;
  private long chunkIndex;
  private long plaintextBytes;
  private long storedBytes;
  private boolean finished;
  private boolean closed;

  public EncryptingOutputStream(OutputStream sink, SymmetricKey key, String objectName)
      throws IOException {
    this(sink, key, objectName, ObjectEncryption.DEFAULT_CHUNK_SIZE);
  }

  public EncryptingOutputStream(
      OutputStream sink, SymmetricKey key, String objectName, int chunkSize) throws IOException {
    byte[] salt = new byte[ObjectHeader.SALT_LENGTH];
    byte[] prefix = new byte[ObjectHeader.NONCE_PREFIX_LENGTH];
    RANDOM.nextBytes(salt);
    RANDOM.nextBytes(prefix);
    ObjectHeader header = new ObjectHeader(chunkSize, key.id(), salt, prefix);
    this.sink = sink;
    this.cipher = new ChunkCipher(key, header, objectName);
    this.plain = new byte[chunkSize];
    this.sealed = new byte[chunkSize + ChunkCipher.TAG_LENGTH];
    byte[] h = header.encode();
    sink.write(h);
    storedBytes = h.length;
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
    while (len > 0) {
      // A full buffer is sealed only once more data arrives: until then it may be the last one.
      if (filled == plain.length) {
        seal(false);
      }
      int n = Math.min(len, plain.length - filled);
      System.arraycopy(b, off, plain, filled, n);
      filled += n;
      off += n;
      len -= n;
      plaintextBytes += n;
    }
  }

  private void seal(boolean last) throws IOException {
    int n = cipher.seal(chunkIndex, last, plain, filled, sealed);
    sink.write(sealed, 0, n);
    storedBytes += n;
    chunkIndex++;
    filled = 0;
  }

  /** Seals the final chunk (even when empty) and flushes the sink, leaving it open. */
  public void finish() throws IOException {
    if (closed) {
      throw new IOException("stream is closed");
    }
    if (!finished) {
      seal(true);
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
    return storedBytes;
  }
}
