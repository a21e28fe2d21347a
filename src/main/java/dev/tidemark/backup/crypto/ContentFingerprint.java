package dev.tidemark.backup.crypto;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;

/**
 * Computes, in one pass over a plaintext, its SHA-256 (recorded in manifests for verification) and
 * its content id: HMAC-SHA256 under a key derived from the table's data key. Data objects are named
 * by the content id rather than the plain hash so that object names, which are stored in the clear,
 * do not let anyone with read access to the store confirm a guess of the content; and so that an
 * object name can only ever match an object encrypted under the same data key.
 */
public final class ContentFingerprint {
  private final MessageDigest sha = SymmetricKey.sha256();
  private final Mac mac;
  private long size;

  public ContentFingerprint(SymmetricKey dataKey) {
    byte[] ikm = dataKey.bytes();
    byte[] nameKey = Hkdf.derive(ikm, new byte[0], Hkdf.CONTENT_NAME);
    Arrays.fill(ikm, (byte) 0);
    this.mac = Hkdf.mac(nameKey);
  }

  public void update(byte[] b, int off, int len) {
    sha.update(b, off, len);
    mac.update(b, off, len);
    size += len;
  }

  public Result finish() {
    return new Result(
        size, HexFormat.of().formatHex(sha.digest()), HexFormat.of().formatHex(mac.doFinal()));
  }

  /**
   * @param sha256 lowercase hex SHA-256 of the plaintext
   * @param contentId lowercase hex HMAC; the data object's name component
   */
  public record Result(long size, String sha256, String contentId) {}
}
