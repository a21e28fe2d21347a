package dev.tidemark.backup.crypto;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The master keys a server can use: the current one, which encrypts and wraps everything written
 * from now on, and older ones reached through the store's key chain (see {@code
 * dev.tidemark.backup.keys.StoreKeys}), which are only ever used to read. Every stored object and
 * wrapped key names the key it was written under, so a reader picks the key by id instead of trying
 * keys in turn, and an object under a key not held here fails as "wrong key" naming both.
 */
public final class MasterKeys {
  private final SymmetricKey current;
  private final Map<String, SymmetricKey> byId;

  public MasterKeys(SymmetricKey current, Collection<SymmetricKey> older) {
    this.current = Objects.requireNonNull(current);
    Map<String, SymmetricKey> m = new LinkedHashMap<>();
    m.put(current.id(), current);
    for (SymmetricKey k : older) {
      m.putIfAbsent(k.id(), k);
    }
    this.byId = Map.copyOf(m);
  }

  /** A ring of one key: stores written before key rings, tests, tools. */
  public static MasterKeys of(SymmetricKey key) {
    return new MasterKeys(key, java.util.List.of());
  }

  public SymmetricKey current() {
    return current;
  }

  public Optional<SymmetricKey> find(String keyId) {
    return Optional.ofNullable(byId.get(keyId));
  }

  /** Ids of every key held, the current one included. */
  public Set<String> ids() {
    return byId.keySet();
  }

  /**
   * Decrypts a whole object with whichever held key its header names.
   *
   * @throws WrongKeyException if no held key is the one it was encrypted under
   */
  public byte[] decrypt(String objectName, byte[] stored) throws IOException {
    return ObjectEncryption.decrypt(keyFor(objectName, stored), objectName, stored);
  }

  /** The held key an encrypted object's header names, or the current key if none is held. */
  public SymmetricKey keyFor(String objectName, byte[] stored) throws IOException {
    String id = ObjectHeader.keyIdOf(new ByteArrayInputStream(stored), objectName);
    // Decrypting with the current key then reports the wrong key with both ids.
    return find(id).orElse(current);
  }

  /**
   * Unwraps a data key with whichever held key wrapped it.
   *
   * @throws WrongKeyException if none did
   */
  public SymmetricKey unwrap(WrappedKey wrapped, String context, String subject)
      throws IOException {
    return KeyWrap.unwrap(find(wrapped.wrappingKeyId()).orElse(current), wrapped, context, subject);
  }

  @Override
  public String toString() {
    return "MasterKeys[current=" + current.id() + ", held=" + byId.keySet() + "]";
  }
}
