package dev.tidemark.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Protects access keys across a backup key rotation: a secret sealed under the old master key opens
 * with a ring that holds the new key first and the old one after it, new secrets are sealed under
 * the new key, and a ring without the sealing key refuses instead of returning garbage.
 */
class SecretSealerTest {
  private static byte[] key(int fill) {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) fill);
    return k;
  }

  @Test
  void secretsSealedBeforeARotationStillOpen() {
    String sealedOld = new SecretSealer(key(1)).seal("AKIAOLD", "old-secret");
    SecretSealer rotated = new SecretSealer(List.of(key(2), key(1)));
    assertThat(rotated.unseal("AKIAOLD", sealedOld)).isEqualTo("old-secret");

    String sealedNew = rotated.seal("AKIANEW", "new-secret");
    assertThat(new SecretSealer(key(2)).unseal("AKIANEW", sealedNew)).isEqualTo("new-secret");
    assertThatThrownBy(() -> new SecretSealer(key(1)).unseal("AKIANEW", sealedNew))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("AKIANEW");
  }

  @Test
  void aSealedSecretIsBoundToItsAccessKeyId() {
    String sealed = new SecretSealer(key(1)).seal("AKIAONE", "secret");
    assertThatThrownBy(() -> new SecretSealer(key(1)).unseal("AKIATWO", sealed))
        .isInstanceOf(IllegalStateException.class);
  }
}
