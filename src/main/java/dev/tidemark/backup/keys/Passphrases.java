package dev.tidemark.backup.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.backup.crypto.Hkdf;
import dev.tidemark.backup.crypto.KeyWrap;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.crypto.WrappedKey;
import dev.tidemark.backup.store.NoSuchObjectException;
import dev.tidemark.backup.store.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.SCrypt;

/**
 * Recovery passphrases: the master key kept in the store itself, openable with a passphrase, so a
 * fresh server needs only the store and the passphrase (the idea of restic's repository keys).
 *
 * <p>Each passphrase is a <em>slot</em> with its own X25519 key pair. The private half is stored
 * encrypted under a key derived from the passphrase with scrypt (memory-hard, so guessing costs
 * memory as well as time); the master key is sealed to the public half. A rotation can therefore
 * seal the new master key to every slot without knowing any passphrase, while someone holding an
 * old key file learns nothing about the new key from the slots. Layout:
 *
 * <pre>
 * keys/passphrase/&lt;slotId&gt;/slot                      KDF parameters, public key, encrypted private key
 * keys/passphrase/&lt;slotId&gt;/&lt;generation&gt;-&lt;keyId&gt;   a master key sealed to the slot
 * </pre>
 */
public final class Passphrases {
  static final String PREFIX = StoreKeys.PREFIX + "passphrase/";

  /** scrypt cost: N = 2^15, r = 8 (32 MiB, about 0.1 s), p = 1. Stored per slot. */
  static final int LOG2_N = 15;

  static final int R = 8;
  static final int P = 1;
  public static final int MIN_LENGTH = 8;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Passphrases() {}

  /** One passphrase slot, as listed. */
  public record Slot(String slotId, long createdMillis, List<String> sealedKeyIds) {}

  /** The passphrase from {@code --backup-passphrase-file} or the environment, if any. */
  public static Optional<String> configured(Path file, Map<String, String> env) throws IOException {
    if (file != null) {
      return Optional.of(read(file));
    }
    String v = env.get(KeySetup.PASSPHRASE_ENV);
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
  }

  /** A passphrase file's content; one trailing newline is not part of the passphrase. */
  public static String read(Path file) throws IOException {
    String s = Files.readString(file, StandardCharsets.UTF_8);
    if (s.endsWith("\r\n")) {
      s = s.substring(0, s.length() - 2);
    } else if (s.endsWith("\n")) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }

  static String slotName(String slotId) {
    return PREFIX + slotId + "/slot";
  }

  static String sealedName(String slotId, int generation, String keyId) {
    return PREFIX + slotId + "/" + String.format("%06d-%s", generation, keyId);
  }

  /** Slot ids, in name order. */
  public static List<String> slotIds(ObjectStore store) throws IOException {
    List<String> out = new ArrayList<>();
    for (String n : store.list(PREFIX)) {
      if (n.endsWith("/slot")) {
        out.add(n.substring(PREFIX.length(), n.length() - "/slot".length()));
      }
    }
    return out;
  }

  public static List<Slot> slots(ObjectStore store) throws IOException {
    List<Slot> out = new ArrayList<>();
    for (String id : slotIds(store)) {
      JsonNode n = StoreKeys.JSON.readTree(store.getBytes(slotName(id)));
      List<String> sealed = new ArrayList<>();
      for (String s : store.list(PREFIX + id + "/")) {
        if (!s.endsWith("/slot")) {
          sealed.add(s.substring(s.lastIndexOf('-') + 1));
        }
      }
      out.add(new Slot(id, n.path("createdMillis").asLong(), sealed));
    }
    return out;
  }

  /**
   * Adds a passphrase that opens {@code master}, which must be the store's current key. The sealed
   * key is written before the slot, so a crash leaves no slot that opens nothing.
   *
   * @return the new slot's id
   */
  public static String add(
      ObjectStore store, SymmetricKey master, int generation, String passphrase, long nowMillis)
      throws IOException {
    if (passphrase.length() < MIN_LENGTH) {
      throw new IllegalArgumentException(
          "a recovery passphrase must have at least " + MIN_LENGTH + " characters");
    }
    byte[] idBytes = new byte[8];
    RANDOM.nextBytes(idBytes);
    String slotId = HexFormat.of().formatHex(idBytes);
    try {
      KeyPair pair = KeyPairGenerator.getInstance("X25519").generateKeyPair();
      byte[] publicKey = pair.getPublic().getEncoded();
      seal(store, slotId, publicKey, master, generation);
      byte[] salt = new byte[32];
      RANDOM.nextBytes(salt);
      byte[] kek = scrypt(passphrase, salt, LOG2_N, R, P);
      byte[] nonce = new byte[12];
      RANDOM.nextBytes(nonce);
      Cipher c = gcm(Cipher.ENCRYPT_MODE, kek, nonce, slotAad(slotId, publicKey));
      byte[] priv = pair.getPrivate().getEncoded();
      byte[] enc = c.doFinal(priv);
      Arrays.fill(priv, (byte) 0);
      Arrays.fill(kek, (byte) 0);
      ObjectNode n = StoreKeys.JSON.createObjectNode();
      n.put("formatVersion", 1);
      n.put("slotId", slotId);
      n.put("createdMillis", nowMillis);
      ObjectNode kdf = n.putObject("kdf");
      kdf.put("name", "scrypt");
      kdf.put("log2N", LOG2_N);
      kdf.put("r", R);
      kdf.put("p", P);
      kdf.put("salt", b64(salt));
      n.put("publicKey", b64(publicKey));
      n.put("privateKey", b64(concat(nonce, enc)));
      store.put(slotName(slotId), StoreKeys.JSON.writeValueAsBytes(n));
      return slotId;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X25519 / AES-GCM unavailable", e);
    }
  }

  /** Seals {@code master} to every slot (a rotation step); safe to repeat. */
  static void sealToAll(ObjectStore store, SymmetricKey master, int generation) throws IOException {
    for (String id : slotIds(store)) {
      JsonNode n = StoreKeys.JSON.readTree(store.getBytes(slotName(id)));
      seal(store, id, Base64.getDecoder().decode(n.path("publicKey").asText()), master, generation);
    }
  }

  /** Removes a slot: first the slot (from then on the passphrase opens nothing), then its keys. */
  public static boolean remove(ObjectStore store, String slotId) throws IOException {
    if (!slotId.matches("[0-9a-f]{16}") || !store.delete(slotName(slotId))) {
      return false;
    }
    for (String n : store.list(PREFIX + slotId + "/")) {
      store.delete(n);
    }
    return true;
  }

  /**
   * The newest master key a passphrase opens.
   *
   * @throws KeyRefusedException if the store has no slots, or the passphrase opens none
   */
  public static SymmetricKey recover(ObjectStore store, String passphrase, String storeName)
      throws IOException {
    List<String> ids = slotIds(store);
    if (ids.isEmpty()) {
      throw new KeyRefusedException(
          "backup store "
              + storeName
              + " has no recovery passphrases, so a passphrase cannot open it; give the key file"
              + " (--backup-key-file)");
    }
    for (String id : ids) {
      JsonNode n = StoreKeys.JSON.readTree(store.getBytes(slotName(id)));
      Optional<PrivateKey> priv = open(n, id, passphrase);
      if (priv.isEmpty()) {
        continue;
      }
      List<String> sealed = new ArrayList<>();
      for (String s : store.list(PREFIX + id + "/")) {
        if (!s.endsWith("/slot")) {
          sealed.add(s);
        }
      }
      if (sealed.isEmpty()) {
        throw new KeyRefusedException("recovery passphrase slot " + id + " holds no key");
      }
      String newest = sealed.get(sealed.size() - 1);
      return unseal(store, newest, id, priv.get());
    }
    throw new KeyRefusedException(
        "the recovery passphrase is wrong: it opens none of the "
            + StoreKeys.plural(ids.size(), "passphrase slot")
            + " of backup store "
            + storeName
            + ". Nothing in the store was changed.");
  }

  private static Optional<PrivateKey> open(JsonNode slot, String id, String passphrase)
      throws IOException {
    JsonNode kdf = slot.path("kdf");
    if (slot.path("formatVersion").asInt() != 1 || !"scrypt".equals(kdf.path("name").asText())) {
      throw new IOException("recovery passphrase slot " + id + " has an unknown format");
    }
    byte[] publicKey = Base64.getDecoder().decode(slot.path("publicKey").asText());
    byte[] sealed = Base64.getDecoder().decode(slot.path("privateKey").asText());
    byte[] kek =
        scrypt(
            passphrase,
            Base64.getDecoder().decode(kdf.path("salt").asText()),
            kdf.path("log2N").asInt(),
            kdf.path("r").asInt(),
            kdf.path("p").asInt());
    try {
      Cipher c =
          gcm(Cipher.DECRYPT_MODE, kek, Arrays.copyOfRange(sealed, 0, 12), slotAad(id, publicKey));
      byte[] priv = c.doFinal(sealed, 12, sealed.length - 12);
      return Optional.of(
          KeyFactory.getInstance("X25519").generatePrivate(new PKCS8EncodedKeySpec(priv)));
    } catch (AEADBadTagException e) {
      return Optional.empty();
    } catch (GeneralSecurityException e) {
      throw new IOException("recovery passphrase slot " + id + " is damaged: " + e, e);
    } finally {
      Arrays.fill(kek, (byte) 0);
    }
  }

  private static void seal(
      ObjectStore store, String slotId, byte[] slotPublic, SymmetricKey master, int generation)
      throws IOException {
    String name = sealedName(slotId, generation, master.id());
    if (store.exists(name)) {
      return;
    }
    try {
      KeyPair eph = KeyPairGenerator.getInstance("X25519").generateKeyPair();
      PublicKey pub =
          KeyFactory.getInstance("X25519").generatePublic(new X509EncodedKeySpec(slotPublic));
      byte[] ephPublic = eph.getPublic().getEncoded();
      SymmetricKey sealKey = sealKey(eph.getPrivate(), pub, ephPublic, slotPublic);
      WrappedKey w = KeyWrap.wrap(sealKey, master, "passphrase-slot:" + slotId);
      ObjectNode n = StoreKeys.JSON.createObjectNode();
      n.put("formatVersion", 1);
      n.put("ephemeralPublicKey", b64(ephPublic));
      n.put("wrappingKeyId", w.wrappingKeyId());
      n.put("keyId", w.keyId());
      n.put("ciphertext", w.ciphertextBase64());
      try {
        store.put(name, StoreKeys.JSON.writeValueAsBytes(n));
      } catch (dev.tidemark.backup.store.ObjectAlreadyExistsException e) {
        // An earlier, interrupted run sealed it.
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X25519 unavailable", e);
    }
  }

  private static SymmetricKey unseal(
      ObjectStore store, String name, String slotId, PrivateKey slotPrivate) throws IOException {
    try {
      JsonNode n = StoreKeys.JSON.readTree(store.getBytes(name));
      byte[] ephPublic = Base64.getDecoder().decode(n.path("ephemeralPublicKey").asText());
      JsonNode slot = StoreKeys.JSON.readTree(store.getBytes(slotName(slotId)));
      byte[] slotPublic = Base64.getDecoder().decode(slot.path("publicKey").asText());
      PublicKey eph =
          KeyFactory.getInstance("X25519").generatePublic(new X509EncodedKeySpec(ephPublic));
      SymmetricKey sealKey = sealKey(slotPrivate, eph, ephPublic, slotPublic);
      WrappedKey w =
          WrappedKey.of(
              n.path("wrappingKeyId").asText(),
              n.path("keyId").asText(),
              n.path("ciphertext").asText());
      return KeyWrap.unwrap(sealKey, w, "passphrase-slot:" + slotId, "sealed key " + name);
    } catch (NoSuchObjectException e) {
      throw new KeyRefusedException(
          "recovery passphrase slot " + slotId + " was removed meanwhile");
    } catch (GeneralSecurityException e) {
      throw new IOException("sealed key " + name + " is damaged: " + e, e);
    }
  }

  /** HKDF over the X25519 secret, bound to both public keys. */
  private static SymmetricKey sealKey(
      PrivateKey own, PublicKey other, byte[] ephPublic, byte[] slotPublic)
      throws GeneralSecurityException {
    KeyAgreement ka = KeyAgreement.getInstance("X25519");
    ka.init(own);
    ka.doPhase(other, true);
    byte[] shared = ka.generateSecret();
    byte[] k = Hkdf.derive(shared, concat(ephPublic, slotPublic), "tidemark-passphrase-seal-v1");
    Arrays.fill(shared, (byte) 0);
    return SymmetricKey.of(k);
  }

  static byte[] scrypt(String passphrase, byte[] salt, int log2N, int r, int p) {
    if (log2N < 10 || log2N > 22 || r < 1 || r > 32 || p < 1 || p > 16) {
      throw new IllegalArgumentException("scrypt parameters out of range");
    }
    return SCrypt.generate(passphrase.getBytes(StandardCharsets.UTF_8), salt, 1 << log2N, r, p, 32);
  }

  private static Cipher gcm(int mode, byte[] key, byte[] nonce, byte[] aad)
      throws GeneralSecurityException {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
    c.updateAAD(aad);
    return c;
  }

  private static byte[] slotAad(String slotId, byte[] publicKey) {
    return concat(
        ("tidemark-passphrase-slot-v1\0" + slotId + "\0").getBytes(StandardCharsets.US_ASCII),
        publicKey);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
