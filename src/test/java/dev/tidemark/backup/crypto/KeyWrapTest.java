package dev.tidemark.backup.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class KeyWrapTest {
  private final SymmetricKey master = SymmetricKey.random();
  private final SymmetricKey data = SymmetricKey.random();

  // Wrap then unwrap returns the same data key.
  @Test
  void roundTrip() throws IOException {
    WrappedKey w = KeyWrap.wrap(master, data, "table:t1");
    assertThat(w.wrappingKeyId()).isEqualTo(master.id());
    assertThat(w.keyId()).isEqualTo(data.id());
    assertThat(KeyWrap.unwrap(master, w, "table:t1", "backup b")).isEqualTo(data);
  }

  // The operator-facing message for the wrong master key, as the design asks for it.
  @Test
  void wrongMasterKeyMessage() {
    SymmetricKey other = SymmetricKey.random();
    WrappedKey w = KeyWrap.wrap(master, data, "table:t1");
    assertThatThrownBy(() -> KeyWrap.unwrap(other, w, "table:t1", "backup manifests/t1/b1"))
        .isInstanceOf(WrongKeyException.class)
        .hasMessage(
            "backup manifests/t1/b1 was encrypted with key "
                + master.id()
                + ", but the configured key is "
                + other.id());
  }

  // A wrapped key moved to another table (context) or tampered with does not unwrap.
  @Test
  void boundToContextAndIntegrity() {
    WrappedKey w = KeyWrap.wrap(master, data, "table:t1");
    assertThatThrownBy(() -> KeyWrap.unwrap(master, w, "table:t2", "x"))
        .isInstanceOf(CorruptObjectException.class);
    byte[] c = w.ciphertext();
    c[20] ^= 1;
    WrappedKey tampered = new WrappedKey(w.wrappingKeyId(), w.keyId(), c);
    assertThatThrownBy(() -> KeyWrap.unwrap(master, tampered, "table:t1", "x"))
        .isInstanceOf(CorruptObjectException.class);
    WrappedKey relabelled = new WrappedKey(w.wrappingKeyId(), "0000000000000000", w.ciphertext());
    assertThatThrownBy(() -> KeyWrap.unwrap(master, relabelled, "table:t1", "x"))
        .isInstanceOf(CorruptObjectException.class);
  }
}
