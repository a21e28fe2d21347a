package dev.tidemark.backup.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Protects the S3 store's upload buffer, which keeps a part in blocks instead of one array: every
 * byte comes back in order, on every re-read (a retried request), and the digest of a refused write
 * covers exactly the buffered bytes.
 */
class PartBufferTest {

  @Test
  void holdsWritesOfAnySizeInOrderAndRereads() throws Exception {
    Random random = new Random(11);
    PartBuffer buffer = new PartBuffer();
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    for (int size : new int[] {1, 0, 8191, 2, 70_000, 1 << 20, 3, 2_500_000, 17}) {
      byte[] b = new byte[size + 5];
      random.nextBytes(b);
      buffer.write(b, 5, size);
      expected.write(b, 5, size);
    }
    assertThat(buffer.size()).isEqualTo(expected.size());
    assertThat(buffer.newStream().readAllBytes()).isEqualTo(expected.toByteArray());
    assertThat(buffer.newStream().readAllBytes()).isEqualTo(expected.toByteArray());
    MessageDigest digest = S3ObjectStore.sha256();
    buffer.digestInto(digest);
    assertThat(digest.digest()).isEqualTo(S3ObjectStore.sha256().digest(expected.toByteArray()));

    buffer.clear();
    assertThat(buffer.size()).isZero();
    buffer.write(new byte[] {7, 8}, 0, 2);
    assertThat(buffer.newStream().readAllBytes()).containsExactly(7, 8);
  }
}
