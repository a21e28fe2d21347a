package dev.tidemark.backup.crypto;

import dev.tidemark.backup.crypto.CorruptObjectException.Reason;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * Decrypts a backup object of either format, chosen by its header's version byte: version 2 (Tink's
 * streaming AEAD, what this server writes) or version 1 (the hand-composed chunked AES-GCM of
 * earlier servers, {@link LegacyDecryptingStream}). Plaintext is released one authenticated segment
 * at a time, so a caller may see the first segments of an object whose later ones turn out to be
 * corrupt; anything that must be all-or-nothing (a restore) treats the stream's exception as
 * failure of the whole object. End of stream is reported only after the final segment has been
 * authenticated.
 */
public final class DecryptingInputStream extends InputStream {
  private final InputStream plain;
  private final Guarded source;
  private final String objectName;

  /**
   * Reads the header at once.
   *
   * @throws WrongKeyException if the object was encrypted under another key
   * @throws CorruptObjectException if the header is missing or malformed
   */
  public DecryptingInputStream(InputStream source, SymmetricKey key, String objectName)
      throws IOException {
    this.objectName = objectName;
    this.source = new Guarded(source);
    byte[] first = this.source.readNBytes(6);
    if (first.length >= 4 && !Arrays.equals(first, 0, 4, ObjectHeader.MAGIC, 0, 4)) {
      throw new CorruptObjectException(
          objectName, Reason.BAD_HEADER, "not a Tidemark backup object (bad magic)");
    }
    int version = first.length == 6 ? first[4] & 0xff : -1;
    int algorithm = first.length == 6 ? first[5] & 0xff : -1;
    if (version == ObjectHeader.FORMAT_VERSION) {
      this.plain =
          new LegacyDecryptingStream(
              new SequenceInputStream(new ByteArrayInputStream(first), this.source),
              key,
              objectName);
    } else if (version == EnvelopeHeader.VERSION
        && algorithm == EnvelopeHeader.ALGORITHM_TINK_AES256_GCM_HKDF) {
      EnvelopeHeader header = EnvelopeHeader.read(this.source, first, key, objectName);
      try {
        this.plain =
            header.streamingAead().newDecryptingStream(this.source, header.streamAad(objectName));
      } catch (GeneralSecurityException e) {
        throw new CorruptObjectException(objectName, Reason.BAD_HEADER, e.getMessage());
      }
    } else if (first.length < 6) {
      throw new CorruptObjectException(
          objectName,
          Reason.TRUNCATED,
          "only " + first.length + " bytes, shorter than any object header");
    } else {
      throw new CorruptObjectException(
          objectName,
          Reason.BAD_HEADER,
          "object format version "
              + version
              + " / algorithm "
              + algorithm
              + " is not supported (this server reads versions 1 and 2)");
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    try {
      return plain.read(b, off, len);
    } catch (CorruptObjectException e) {
      throw e;
    } catch (IOException e) {
      throw translated(e);
    }
  }

  /**
   * Tink reports a segment that fails authentication as a plain IOException; one that the store
   * raised (a broken connection) is passed on as it is, anything else is corruption.
   */
  private IOException translated(IOException e) {
    if (source.failure != null) {
      return source.failure;
    }
    return new CorruptObjectException(
        objectName,
        Reason.AUTHENTICATION_FAILED,
        "a segment failed authentication (altered bytes, segments out of order, the object cut"
            + " short or extended, or stored under another name): "
            + e.getMessage());
  }

  @Override
  public void close() throws IOException {
    source.close();
  }

  /** Remembers an I/O failure of the store's stream, to tell it apart from a forged segment. */
  private static final class Guarded extends FilterInputStream {
    private IOException failure;

    Guarded(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return in.read();
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }
  }
}
