package dev.tidemark.backup.keys;

import dev.tidemark.backup.BackupLayout;
import dev.tidemark.backup.BackupRepository;
import dev.tidemark.backup.crypto.MasterKeys;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.crypto.WrongKeyException;
import dev.tidemark.backup.store.NoSuchObjectException;
import dev.tidemark.backup.store.ObjectStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Master key rotation. Only small key objects are written, all new (put-if-absent), in an order
 * that keeps every backup readable whatever step a crash interrupts:
 *
 * <ol>
 *   <li>{@code keys/chain/<new>/<old>}: the old key wrapped under the new one, so the new key reads
 *       everything the old one (and, through the chain, every older one) wrote;
 *   <li>{@code tables/<tableId>/keys/<new>} for every table incarnation with backups or a PITR
 *       archive: its data key re-wrapped under the new key;
 *   <li>the new key sealed to every recovery passphrase slot;
 *   <li>{@code keys/master/<generation+1>-<new>}: the commit. From here on the store's key is the
 *       new one.
 * </ol>
 *
 * Before the commit the old key is still the store's key and nothing it reads has changed; after
 * it, the new key reads everything. Re-running with the same new key resumes. No data object and no
 * manifest is rewritten: manifests written under the old key stay readable through the chain.
 */
public final class KeyRotation {
  /**
   * A pause after each step, for the kill -9 test only (KeyRotationCrashIT): a rotation of a small
   * store takes milliseconds, too short to be interrupted at a random point otherwise.
   */
  private static final long PAUSE_MILLIS = Long.getLong("tidemark.keys.rotation-pause-ms", 0);

  private KeyRotation() {}

  private static void pause() {
    if (PAUSE_MILLIS > 0) {
      try {
        Thread.sleep(PAUSE_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * What a rotation did.
   *
   * @param unreadableTables tables whose data key no held key unwraps; their backups were already
   *     unreadable and stay so
   */
  public record Result(
      String oldKeyId,
      String newKeyId,
      int generation,
      int tablesRewrapped,
      int passphraseSlots,
      List<String> unreadableTables,
      boolean alreadyDone) {}

  /**
   * Rotates from the key {@code keys} was opened with (which must be the store's current key) to
   * {@code newKey}.
   *
   * @throws KeyRefusedException if the store's current key is neither
   */
  public static Result rotate(
      ObjectStore store, MasterKeys keys, SymmetricKey newKey, long nowMillis, Consumer<String> log)
      throws IOException {
    SymmetricKey old = keys.current();
    StoreKeys.MasterRecord current = StoreKeys.currentOrAdopt(store, old, nowMillis);
    if (current.keyId().equals(newKey.id())) {
      return new Result(
          current.previousKeyId(), newKey.id(), current.generation(), 0, 0, List.of(), true);
    }
    if (!current.keyId().equals(old.id())) {
      throw new KeyRefusedException(
          "the backup store's current key is "
              + current.keyId()
              + ", not "
              + old.id()
              + "; rotate with the current key. Nothing was changed.");
    }
    log.accept("1/4 chaining old key " + old.id() + " under new key " + newKey.id());
    StoreKeys.putChain(store, newKey, old);
    pause();
    Set<String> tables = tableIds(store);
    log.accept("2/4 re-wrapping the data keys of " + tables.size() + " table incarnations");
    BackupRepository repo = new BackupRepository(store, keys);
    int rewrapped = 0;
    List<String> unreadable = new ArrayList<>();
    for (String t : tables) {
      try {
        repo.rewrapTableKey(t, newKey);
        rewrapped++;
        pause();
      } catch (WrongKeyException | NoSuchObjectException e) {
        unreadable.add(t);
      }
    }
    int slots = Passphrases.slotIds(store).size();
    log.accept("3/4 sealing the new key to " + slots + " recovery passphrase slots");
    Passphrases.sealToAll(store, newKey, current.generation() + 1);
    pause();
    log.accept("4/4 recording key " + newKey.id() + " as the store's key");
    StoreKeys.putRecord(
        store,
        new StoreKeys.MasterRecord(
            current.generation() + 1, newKey.id(), nowMillis, "rotation", old.id()));
    return new Result(
        old.id(), newKey.id(), current.generation() + 1, rewrapped, slots, unreadable, false);
  }

  /** Table incarnations with something to read: backups (PITR bases included) or PITR objects. */
  static Set<String> tableIds(ObjectStore store) throws IOException {
    Set<String> out = new TreeSet<>();
    for (String m : store.list(BackupLayout.MANIFESTS)) {
      out.add(BackupLayout.parseManifestName(m).tableId());
    }
    for (String n : store.list("pitr/")) {
      int slash = n.indexOf('/', 5);
      if (slash > 5) {
        out.add(n.substring(5, slash));
      }
    }
    return out;
  }
}
