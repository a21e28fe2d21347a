package dev.tidemark.backup;

import dev.tidemark.backup.crypto.CorruptObjectException;
import dev.tidemark.backup.crypto.CorruptObjectException.Reason;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Checks a decrypted object's size and SHA-256 against its manifest entry. The check happens at end
 * of stream: a reader that stops early has verified nothing, so restores must read to the end
 * before they commit anything.
 */
final class VerifyingInputStream extends FilterInputStream {
  private final DataObjectRef ref;
  private final MessageDigest sha;
  private long count;
  private boolean verified;

  VerifyingInputStream(InputStream decrypted, DataObjectRef ref) {
    super(decrypted);
    this.ref = ref;
    try {
      this.sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
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
    int n = in.read(b, off, len);
    if (n < 0) {
      verifyAtEnd();
      return -1;
    }
    sha.update(b, off, n);
    count += n;
    if (count > ref.plaintextSize()) {
      throw new CorruptObjectException(
          ref.name(),
          Reason.SIZE_MISMATCH,
          "decrypts to more than the " + ref.plaintextSize() + " bytes its manifest records");
    }
    return n;
  }

  private void verifyAtEnd() throws IOException {
    if (verified) {
      return;
    }
    if (count != ref.plaintextSize()) {
      throw new CorruptObjectException(
          ref.name(),
          Reason.SIZE_MISMATCH,
          "decrypts to " + count + " bytes, but its manifest records " + ref.plaintextSize());
    }
    String actual = HexFormat.of().formatHex(sha.digest());
    if (!actual.equals(ref.sha256())) {
      throw new CorruptObjectException(
          ref.name(),
          Reason.CHECKSUM_MISMATCH,
          "plaintext SHA-256 is " + actual + ", but its manifest records " + ref.sha256());
    }
    verified = true;
  }

  @Override
  public long skip(long n) throws IOException {
    // Skipped bytes must still be hashed.
    byte[] buf = new byte[8192];
    long skipped = 0;
    while (skipped < n) {
      int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
      if (r < 0) {
        break;
      }
      skipped += r;
    }
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false;
  }
}
