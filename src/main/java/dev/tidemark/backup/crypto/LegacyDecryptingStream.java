package dev.tidemark.backup.crypto;

import dev.tidemark.backup.crypto.CorruptObjectException.Reason;
import java.io.IOException;
import java.io.InputStream;

/**
 * Decrypts object format version 1 (hand-composed HKDF and chunked AES-GCM), which this server no
 * longer writes but reads for every object written before format version 2, as a stream. Plaintext
 * is released one authenticated chunk at a time, so a caller may see the first chunks of an object
 * whose later chunks turn out to be corrupt; anything that must be all-or-nothing (a restore)
 * treats the stream's exception as failure of the whole object. End of stream is reported only
 * after the chunk flagged final has been authenticated and nothing follows it.
 */
final class LegacyDecryptingStream extends InputStream {
  private final InputStream source;
  private final String objectName;
  private final ObjectHeader header;
  private final ChunkCipher cipher;
  private final byte[] sealed;
  private final byte[] plain;
  private int lookahead = -1;
  private int plainLength;
  private int plainPos;
  private long chunkIndex;
  private boolean finalSeen;

  /**
   * Reads the header at once.
   *
   * @throws WrongKeyException if the object was encrypted under another key
   * @throws CorruptObjectException if the header is missing or malformed
   */
  LegacyDecryptingStream(InputStream source, SymmetricKey key, String objectName)
      throws IOException {
    this.source = source;
    this.objectName = objectName;
    this.header = ObjectHeader.read(source, objectName);
    if (!header.keyId().equals(key.id())) {
      throw new WrongKeyException("backup object " + objectName, header.keyId(), key.id());
    }
    this.cipher = new ChunkCipher(key, header, objectName);
    this.sealed = new byte[header.chunkSize() + ChunkCipher.TAG_LENGTH];
    this.plain = new byte[header.chunkSize()];
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    while (plainPos == plainLength) {
      if (finalSeen || !nextChunk()) {
        return -1;
      }
    }
    int n = Math.min(len, plainLength - plainPos);
    System.arraycopy(plain, plainPos, b, off, n);
    plainPos += n;
    return n;
  }

  /** Reads, authenticates and decrypts the next chunk; false at a verified end of object. */
  private boolean nextChunk() throws IOException {
    if (finalSeen) {
      return false;
    }
    int n = 0;
    if (lookahead >= 0) {
      sealed[0] = (byte) lookahead;
      lookahead = -1;
      n = 1;
    }
    n += source.readNBytes(sealed, n, sealed.length - n);
    // Only a full-size chunk can be followed by another; peek one byte to learn which it is.
    boolean last = true;
    if (n == sealed.length) {
      int next = source.read();
      if (next >= 0) {
        lookahead = next;
        last = false;
      }
    }
    if (n == 0) {
      throw corrupt(Reason.TRUNCATED, "the object has a header but no chunks");
    }
    if (n < ChunkCipher.TAG_LENGTH) {
      throw corrupt(
          Reason.TRUNCATED, "chunk " + chunkIndex + " is only " + n + " bytes, shorter than a tag");
    }
    int len = cipher.open(chunkIndex, last, sealed, n, plain);
    if (len < 0) {
      throw diagnose(n, last);
    }
    plainLength = len;
    plainPos = 0;
    chunkIndex++;
    finalSeen = last;
    return true;
  }

  // Authentication already failed; retrying with the opposite final flag is cheap and turns an
  // anonymous failure into the precise cause an operator needs.
  private CorruptObjectException diagnose(int n, boolean last) {
    byte[] scratch = new byte[plain.length];
    if (last && n == sealed.length && cipher.open(chunkIndex, false, sealed, n, scratch) >= 0) {
      return corrupt(
          Reason.TRUNCATED,
          "the object ends after chunk " + chunkIndex + ", which is not its final chunk");
    }
    if (!last && cipher.open(chunkIndex, true, sealed, n, scratch) >= 0) {
      return corrupt(Reason.TRAILING_DATA, "bytes follow the final chunk " + chunkIndex);
    }
    return corrupt(
        Reason.AUTHENTICATION_FAILED,
        "chunk "
            + chunkIndex
            + " failed authentication (altered bytes, chunks out of order, or an object stored"
            + " under another name)");
  }

  private CorruptObjectException corrupt(Reason reason, String detail) {
    return new CorruptObjectException(objectName, reason, detail);
  }

  @Override
  public void close() throws IOException {
    source.close();
  }
}
