package dev.tidemark.backup.keys;

import dev.tidemark.backup.crypto.KeyManager;
import dev.tidemark.backup.crypto.KeyManager.LoadedKey;
import dev.tidemark.backup.crypto.MasterKeys;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.ObjectStore;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Decides, at server start, which master key the server uses, and refuses to start rather than hide
 * backups. The rules (issue 19):
 *
 * <ul>
 *   <li>a new key is created only for a store with no backups and no PITR archive, or when the
 *       operator asks with {@code --new-backup-key};
 *   <li>a configured key that is not the store's current key (a wrong key, or one a rotation
 *       replaced) is refused, naming the store, the key id it needs and the file looked in;
 *   <li>with no key configured, a passphrase can unwrap the key from the store.
 * </ul>
 *
 * A refusal happens before anything is written to the store.
 */
public final class KeySetup {
  /** Env variable holding a passphrase, the alternative to {@code --backup-passphrase-file}. */
  public static final String PASSPHRASE_ENV = "TIDEMARK_BACKUP_PASSPHRASE";

  private KeySetup() {}

  /**
   * What the operator configured.
   *
   * @param keyFile {@code --backup-key-file}, or null
   * @param defaultKeyFile where the key is looked for (and created) when none is configured
   * @param newKey {@code --new-backup-key}: start a new key even over a non-empty store
   * @param passphraseFile {@code --backup-passphrase-file}, or null
   * @param storeName the store as the operator knows it, for messages
   */
  public record Options(
      Path keyFile,
      Path defaultKeyFile,
      boolean newKey,
      Path passphraseFile,
      Map<String, String> env,
      String storeName) {
    public Options {
      env = Map.copyOf(env);
    }

    Path lookedIn() throws KeyRefusedException {
      Path file = KeyManager.keyFilePath(keyFile, defaultKeyFile);
      if (file == null) {
        // An object store has no "beside the store" on this host: a key created here would be
        // lost with the host.
        throw new KeyRefusedException(
            "the backup store "
                + storeName
                + " needs its master key from --backup-key-file or $"
                + KeyManager.ENV_VAR
                + " (or a recovery passphrase for a store that has one); no key file is created"
                + " for an object store");
      }
      return file.toAbsolutePath().normalize();
    }
  }

  /**
   * The outcome of a successful start.
   *
   * @param notices lines for the log at INFO
   * @param warnings lines for the log at WARN (created keys, keys others can read, ...)
   */
  public record Opened(
      MasterKeys keys, LoadedKey key, List<String> notices, List<String> warnings) {}

  public static Opened open(ObjectStore store, Options o, LongSupplier clock) throws IOException {
    StoreKeys.Inspection seen = StoreKeys.inspect(store);
    Optional<LoadedKey> found = KeyManager.find(o.keyFile(), o.env(), o.defaultKeyFile());
    List<String> notices = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    if (o.newKey()) {
      return newKey(store, o, seen, found, clock, warnings);
    }
    if (found.isEmpty()) {
      Optional<String> passphrase = Passphrases.configured(o.passphraseFile(), o.env());
      if (passphrase.isPresent()) {
        SymmetricKey k = Passphrases.recover(store, passphrase.get(), o.storeName());
        found =
            Optional.of(
                new LoadedKey(k, KeyManager.Source.PASSPHRASE, Optional.empty(), List.of()));
        notices.add(
            "backup key "
                + k.id()
                + " unwrapped from "
                + o.storeName()
                + " with the passphrase; it is held in memory only");
      } else if (!seen.hasContent() && seen.records().isEmpty()) {
        LoadedKey created = createAt(o.lookedIn(), o);
        StoreKeys.putRecord(
            store,
            new StoreKeys.MasterRecord(
                1, created.key().id(), clock.getAsLong(), "first-start", null));
        warnings.addAll(created.warnings());
        warnings.add(
            "A new backup master key "
                + created.key().id()
                + " was created at "
                + o.lookedIn()
                + " for the empty backup store "
                + o.storeName()
                + ". Keep a copy somewhere safe (or add a recovery passphrase with `tidemark"
                + " backup passphrase add`): without it no backup can be restored.");
        return new Opened(ring(store, created.key()), created, notices, warnings);
      } else {
        throw missing(o, seen);
      }
    }
    LoadedKey key = found.get();
    warnings.addAll(key.warnings());
    SymmetricKey k = key.key();
    Optional<StoreKeys.MasterRecord> current = seen.current();
    if (current.isPresent()) {
      if (!current.get().keyId().equals(k.id())) {
        throw wrong(o, seen, key);
      }
    } else if (seen.hasContent()) {
      if (!seen.writtenWith().contains(k.id())) {
        throw wrong(o, seen, key);
      }
      StoreKeys.putRecord(
          store, new StoreKeys.MasterRecord(1, k.id(), clock.getAsLong(), "adopted", null));
      if (seen.writtenWith().size() > 1) {
        warnings.add(
            "backup store "
                + o.storeName()
                + " also holds objects written with key(s) "
                + others(seen.writtenWith(), k.id())
                + "; they are listed as unreadable until that key is linked with `tidemark backup"
                + " link-key`");
      }
    } else {
      StoreKeys.putRecord(
          store, new StoreKeys.MasterRecord(1, k.id(), clock.getAsLong(), "first-start", null));
    }
    return new Opened(ring(store, k), key, notices, warnings);
  }

  private static MasterKeys ring(ObjectStore store, SymmetricKey k) throws IOException {
    return StoreKeys.ring(store, k);
  }

  private static Opened newKey(
      ObjectStore store,
      Options o,
      StoreKeys.Inspection seen,
      Optional<LoadedKey> found,
      LongSupplier clock,
      List<String> warnings)
      throws IOException {
    if (found.isPresent()) {
      throw new KeyRefusedException(
          "--new-backup-key creates a new key file, but a key is already configured ("
              + found.get().describe()
              + "); give --backup-key-file a path that does not exist yet, or drop"
              + " --new-backup-key");
    }
    LoadedKey created = createAt(o.lookedIn(), o);
    SymmetricKey k = created.key();
    Optional<StoreKeys.MasterRecord> current = seen.current();
    if (current.isEmpty()) {
      // A store from before key records: record the keys its objects name, so that later starts
      // with one of them are told it was replaced, and by which key.
      int g = 0;
      for (String id : seen.writtenWith()) {
        StoreKeys.MasterRecord r =
            new StoreKeys.MasterRecord(
                ++g, id, clock.getAsLong(), "found", g == 1 ? null : current.get().keyId());
        StoreKeys.putRecord(store, r);
        current = Optional.of(r);
      }
    }
    StoreKeys.putRecord(
        store,
        new StoreKeys.MasterRecord(
            current.map(r -> r.generation() + 1).orElse(1),
            k.id(),
            clock.getAsLong(),
            "new-key",
            current.map(StoreKeys.MasterRecord::keyId).orElse(null)));
    warnings.addAll(created.warnings());
    if (seen.hasContent()) {
      warnings.add(
          "--new-backup-key: a NEW backup master key "
              + k.id()
              + " was created at "
              + o.lookedIn()
              + " for backup store "
              + o.storeName()
              + ", which already holds "
              + seen.contents()
              + " written with key(s) "
              + String.join(", ", seen.neededKeyIds())
              + ". Those cannot be read with the new key: they stay in the store, are listed as"
              + " unreadable, and become readable again once their key is linked with `tidemark"
              + " backup link-key --old-key-file <file>`. New backups use key "
              + k.id()
              + "; keep a copy of it somewhere safe.");
    } else {
      warnings.add(
          "A new backup master key "
              + k.id()
              + " was created at "
              + o.lookedIn()
              + " (--new-backup-key). Keep a copy somewhere safe: without it no backup can be"
              + " restored.");
    }
    return new Opened(ring(store, k), created, List.of(), warnings);
  }

  private static LoadedKey createAt(Path file, Options o) throws IOException {
    try {
      return KeyManager.create(file);
    } catch (FileAlreadyExistsException e) {
      throw new KeyRefusedException("backup key file " + file + " appeared while starting; retry");
    }
  }

  private static String others(Set<String> ids, String except) {
    List<String> out = new ArrayList<>(ids);
    out.remove(except);
    return String.join(", ", out);
  }

  private static String needs(StoreKeys.Inspection seen) {
    Optional<StoreKeys.MasterRecord> cur = seen.current();
    if (cur.isPresent()) {
      return "key " + cur.get().keyId();
    }
    return (seen.writtenWith().size() == 1 ? "key " : "one of the keys ")
        + String.join(", ", seen.writtenWith());
  }

  private static String holds(Options o, StoreKeys.Inspection seen) {
    return "backup store "
        + o.storeName()
        + " holds "
        + seen.contents()
        + " encrypted with "
        + needs(seen);
  }

  private static KeyRefusedException missing(Options o, StoreKeys.Inspection seen)
      throws KeyRefusedException {
    return new KeyRefusedException(
        holds(o, seen)
            + ", but no backup key was found: "
            + (o.keyFile() != null
                ? "the key file "
                : "no $" + KeyManager.ENV_VAR + " and no file ")
            + o.lookedIn()
            + (o.keyFile() != null ? " does not exist" : "")
            + ". Refusing to start, because a new key would hide every existing backup. Give the"
            + " key with --backup-key-file or $"
            + KeyManager.ENV_VAR
            + ", or recover it with --backup-passphrase-file (or $"
            + PASSPHRASE_ENV
            + "); to start a new key anyway, use --new-backup-key. Nothing in the store was"
            + " changed.");
  }

  private static KeyRefusedException wrong(
      Options o, StoreKeys.Inspection seen, LoadedKey configured) {
    String id = configured.key().id();
    String where = configured.file().map(f -> "the key file " + f).orElse("$" + KeyManager.ENV_VAR);
    Optional<StoreKeys.MasterRecord> older = seen.record(id);
    String why;
    if (older.isPresent() && seen.current().isPresent()) {
      StoreKeys.MasterRecord cur = seen.current().get();
      why =
          " holds key "
              + id
              + ", which key "
              + cur.keyId()
              + " replaced ("
              + cur.reason()
              + " at "
              + Instant.ofEpochMilli(cur.createdMillis())
              + "). Configure the key file holding key "
              + cur.keyId()
              + ("rotation".equals(cur.reason())
                  ? "; it reads the older backups too."
                  : "; to read this key's backups with it, run `tidemark backup link-key"
                      + " --old-key-file <this file>`.");
    } else {
      why =
          " holds key "
              + id
              + ", which is not the key of this store (a wrong key file, or a key file for"
              + " another store). Configure the file holding "
              + needs(seen)
              + ", or use --backup-passphrase-file.";
    }
    return new KeyRefusedException(
        holds(o, seen)
            + ", but "
            + where
            + why
            + " Refusing to start; nothing in the store was changed.");
  }
}
