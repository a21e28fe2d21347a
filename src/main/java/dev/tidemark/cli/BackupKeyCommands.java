package dev.tidemark.cli;

import dev.tidemark.backup.crypto.KeyManager;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.keys.KeyRefusedException;
import dev.tidemark.backup.keys.KeyRotation;
import dev.tidemark.backup.keys.Passphrases;
import dev.tidemark.backup.keys.StoreKeys;
import dev.tidemark.backup.store.ObjectStore;
import java.io.Console;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tidemark backup rotate-key|link-key|keys|passphrase}: the master key's life cycle. All of
 * them work on the store directly (a running server may keep using it) and only ever add key
 * objects, except {@code passphrase remove}.
 */
final class BackupKeyCommands {
  private BackupKeyCommands() {}

  /** The store's current key record; refuses if {@code key} is not it. */
  static StoreKeys.MasterRecord requireCurrent(ObjectStore store, SymmetricKey key)
      throws Exception {
    StoreKeys.MasterRecord cur = StoreKeys.currentOrAdopt(store, key, System.currentTimeMillis());
    if (!cur.keyId().equals(key.id())) {
      throw new KeyRefusedException(
          "key "
              + key.id()
              + " is not the backup store's current key ("
              + cur.keyId()
              + "); use the current key. Nothing was changed.");
    }
    return cur;
  }

  @Command(
      name = "rotate-key",
      mixinStandardHelpOptions = true,
      description =
          "Introduce a new master key: re-wraps every table's data key and chains the old key"
              + " under the new one (no data is re-encrypted). Crash-safe; run again to resume.")
  static final class RotateKey implements Callable<Integer> {
    @Mixin BackupCommand.StoreOptions store = new BackupCommand.StoreOptions();

    @Option(
        names = "--new-key-file",
        required = true,
        description =
            "Where the new key goes (created owner-only if missing; an existing file is used as"
                + " the new key, which is how an interrupted rotation resumes).")
    Path newKeyFile;

    @Override
    public Integer call() throws Exception {
      ObjectStore st = store.store();
      SymmetricKey old = store.key(st);
      if (!Files.exists(newKeyFile)) {
        // Checked before the new key file is made, so a refused rotation leaves nothing behind.
        requireCurrent(st, old);
      }
      // The new key is on disk (fsynced) before the store learns of it: a crash can never leave
      // the store needing a key that exists nowhere.
      SymmetricKey fresh =
          Files.exists(newKeyFile)
              ? KeyManager.readKeyFile(newKeyFile)
              : KeyManager.create(newKeyFile).key();
      if (fresh.id().equals(old.id())) {
        throw new IllegalArgumentException(
            newKeyFile + " holds the current key " + old.id() + "; give a new file");
      }
      KeyRotation.Result r =
          KeyRotation.rotate(
              st,
              StoreKeys.ring(st, old),
              fresh,
              System.currentTimeMillis(),
              line -> System.out.println(line));
      if (r.alreadyDone()) {
        System.out.println("The store's key is already " + fresh.id() + "; nothing to do.");
        return 0;
      }
      System.out.printf(
          "Rotated the backup master key %s -> %s (generation %d): %d table keys re-wrapped,"
              + " %d passphrase slots updated.%n",
          r.oldKeyId(), r.newKeyId(), r.generation(), r.tablesRewrapped(), r.passphraseSlots());
      if (!r.unreadableTables().isEmpty()) {
        System.out.println(
            "These tables' keys were not readable with the old key and were left as they are: "
                + r.unreadableTables());
      }
      System.out.println(
          "Restart the server with --backup-key-file "
              + newKeyFile
              + ". Until then it keeps writing with the old key, which the new key reads through"
              + " the key chain. Keep a copy of the new key somewhere safe.");
      return 0;
    }
  }

  @Command(
      name = "link-key",
      mixinStandardHelpOptions = true,
      description =
          "Make backups written with an older key (say, before --new-backup-key) readable with"
              + " the current key, by chaining the old key under it.")
  static final class LinkKey implements Callable<Integer> {
    @Mixin BackupCommand.StoreOptions store = new BackupCommand.StoreOptions();

    @Option(names = "--old-key-file", required = true, description = "The older key's file.")
    Path oldKeyFile;

    @Override
    public Integer call() throws Exception {
      ObjectStore st = store.store();
      SymmetricKey key = store.key(st);
      requireCurrent(st, key);
      SymmetricKey old = KeyManager.readKeyFile(oldKeyFile);
      if (old.id().equals(key.id())) {
        throw new IllegalArgumentException(oldKeyFile + " holds the current key itself");
      }
      StoreKeys.putChain(st, key, old);
      System.out.println(
          "Key "
              + old.id()
              + " is now readable with key "
              + key.id()
              + "; restart the server to list the backups written with it.");
      return 0;
    }
  }

  @Command(
      name = "keys",
      mixinStandardHelpOptions = true,
      description = "Show the store's master keys (ids only), key chain and passphrase slots.")
  static final class Keys implements Callable<Integer> {
    @Mixin BackupStoreOptions location = new BackupStoreOptions();

    @Override
    public Integer call() throws Exception {
      BackupCommand.StoreOptions o = new BackupCommand.StoreOptions();
      o.location = location;
      ObjectStore st = o.store();
      StoreKeys.Inspection seen = StoreKeys.inspect(st);
      System.out.println("store " + o.spec().describe() + ": " + seen.contents());
      if (seen.records().isEmpty()) {
        System.out.println(
            "no key records yet (written before key records, or empty); objects written with: "
                + seen.writtenWith());
      }
      for (StoreKeys.MasterRecord r : seen.records()) {
        System.out.printf(
            "key %s  generation %d  %s at %s%s%s%n",
            r.keyId(),
            r.generation(),
            r.reason(),
            Instant.ofEpochMilli(r.createdMillis()),
            r.previousKeyId() == null ? "" : "  (after " + r.previousKeyId() + ")",
            r == seen.records().get(seen.records().size() - 1) ? "  CURRENT" : "");
      }
      for (String c : st.list("keys/chain/")) {
        String[] p = c.substring("keys/chain/".length()).split("/");
        System.out.printf("chain: key %s reads key %s%n", p[0], p[1]);
      }
      for (Passphrases.Slot s : Passphrases.slots(st)) {
        System.out.printf(
            "passphrase slot %s  added %s  opens keys %s%n",
            s.slotId(), Instant.ofEpochMilli(s.createdMillis()), s.sealedKeyIds());
      }
      return 0;
    }
  }

  @Command(
      name = "passphrase",
      mixinStandardHelpOptions = true,
      description = "Recovery passphrases that unwrap the master key from the store.",
      subcommands = {Passphrase.Add.class, Passphrase.Remove.class})
  static final class Passphrase {
    @Command(
        name = "add",
        mixinStandardHelpOptions = true,
        description =
            "Add a recovery passphrase (asked twice on the terminal, or from --new-passphrase-file).")
    static final class Add implements Callable<Integer> {
      @Mixin BackupCommand.StoreOptions store = new BackupCommand.StoreOptions();

      @Option(
          names = "--new-passphrase-file",
          description = "File holding the new passphrase (one trailing newline is ignored).")
      Path newPassphraseFile;

      @Override
      public Integer call() throws Exception {
        ObjectStore st = store.store();
        SymmetricKey key = store.key(st);
        StoreKeys.MasterRecord cur = requireCurrent(st, key);
        String passphrase =
            newPassphraseFile != null ? Passphrases.read(newPassphraseFile) : askTwice();
        String slot =
            Passphrases.add(st, key, cur.generation(), passphrase, System.currentTimeMillis());
        System.out.println(
            "Added recovery passphrase slot "
                + slot
                + ": a server given only this store and the passphrase (--backup-passphrase-file"
                + " or $TIDEMARK_BACKUP_PASSPHRASE) can restore everything. Anyone with the store"
                + " and the passphrase can too: choose a long one.");
        return 0;
      }

      private static String askTwice() {
        Console c = System.console();
        if (c == null) {
          throw new IllegalArgumentException(
              "no terminal to ask for the passphrase; give --new-passphrase-file");
        }
        char[] a = c.readPassword("New recovery passphrase: ");
        char[] b = c.readPassword("Again: ");
        if (a == null || b == null || !Arrays.equals(a, b)) {
          throw new IllegalArgumentException("the passphrases differ");
        }
        return new String(a);
      }
    }

    @Command(
        name = "remove",
        mixinStandardHelpOptions = true,
        description = "Remove a recovery passphrase slot (see `tidemark backup keys`).")
    static final class Remove implements Callable<Integer> {
      @Mixin BackupStoreOptions location = new BackupStoreOptions();

      @Parameters(paramLabel = "SLOT")
      String slot;

      @Override
      public Integer call() throws Exception {
        BackupCommand.StoreOptions o = new BackupCommand.StoreOptions();
        o.location = location;
        if (!Passphrases.remove(o.store(), slot)) {
          System.out.println("no passphrase slot " + slot);
          return 1;
        }
        System.out.println("Removed passphrase slot " + slot);
        return 0;
      }
    }
  }
}
