package dev.tidemark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.backup.BackupRepository;
import dev.tidemark.backup.Manifest;
import dev.tidemark.backup.VerifyResult;
import dev.tidemark.backup.crypto.KeyManager;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.crypto.WrongKeyException;
import dev.tidemark.backup.keys.Passphrases;
import dev.tidemark.backup.keys.StoreKeys;
import dev.tidemark.backup.store.BackupStoreSpec;
import dev.tidemark.backup.store.ObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tidemark backup list|create|describe|delete|verify|restore|tests}. {@code list} and {@code
 * verify} read the backup store directly (they work with no server running, as in a disaster); the
 * others ask a running server, like {@code aws dynamodb}.
 */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description = "Manage on-demand backups.",
    subcommands = {
      BackupCommand.ListCmd.class,
      BackupCommand.Create.class,
      BackupCommand.Describe.class,
      BackupCommand.Delete.class,
      BackupCommand.Verify.class,
      BackupCommand.Restore.class,
      BackupTestsCommand.class,
      BackupKeyCommands.RotateKey.class,
      BackupKeyCommands.LinkKey.class,
      BackupKeyCommands.Keys.class,
      BackupKeyCommands.Passphrase.class
    })
final class BackupCommand {

  /** Where the store and its key are, for the commands that read the store directly. */
  static class StoreOptions {
    @picocli.CommandLine.Mixin BackupStoreOptions location = new BackupStoreOptions();

    @Option(
        names = "--backup-key-file",
        description =
            "Master key file (default: $TIDEMARK_BACKUP_KEY, else tidemark-backup.key beside the store).")
    Path keyFile;

    @Option(
        names = "--backup-passphrase-file",
        description =
            "Recovery passphrase, used when no key file or $TIDEMARK_BACKUP_KEY is found (also"
                + " $TIDEMARK_BACKUP_PASSPHRASE).")
    Path passphraseFile;

    BackupStoreSpec spec() {
      return location.spec(System.getenv());
    }

    /**
     * The store, opened for reading without disturbing a server that owns it (its uploads in
     * progress are left alone).
     */
    ObjectStore store() throws Exception {
      BackupStoreSpec spec = spec();
      if (spec instanceof BackupStoreSpec.Directory dir && !Files.isDirectory(dir.root())) {
        throw new IllegalArgumentException("no backup store at " + spec.describe());
      }
      return spec.openForReading();
    }

    /** The configured key, or the one a passphrase unwraps; never creates one. */
    SymmetricKey key(ObjectStore store) throws Exception {
      Path defaultKey = spec().defaultKeyFile().orElse(null);
      var found = KeyManager.find(keyFile, System.getenv(), defaultKey);
      if (found.isPresent()) {
        return found.get().key();
      }
      var passphrase = Passphrases.configured(passphraseFile, System.getenv());
      if (passphrase.isPresent()) {
        return Passphrases.recover(store, passphrase.get(), spec().describe());
      }
      Path lookedFor = KeyManager.keyFilePath(keyFile, defaultKey);
      throw new IllegalArgumentException(
          "no backup key: give --backup-key-file, set "
              + KeyManager.ENV_VAR
              + ", or give --backup-passphrase-file"
              + (lookedFor == null ? "" : " (looked for " + lookedFor + ")"));
    }

    /**
     * A repository reading with the configured key and every older key its chain reaches. An older
     * key of the store is accepted here (tools only read), with a note: it reads the backups
     * written before the key was replaced.
     */
    BackupRepository open() throws Exception {
      ObjectStore store = store();
      SymmetricKey key = key(store);
      var current = StoreKeys.inspect(store).current();
      if (current.isPresent() && !current.get().keyId().equals(key.id())) {
        System.err.println(
            "note: key "
                + key.id()
                + " is not the store's current key ("
                + current.get().keyId()
                + "); backups written under newer keys show as unreadable");
      }
      return new BackupRepository(store, StoreKeys.ring(store, key));
    }
  }

  /** Which server to ask. */
  static class ServerOptions {
    @Option(names = "--endpoint", description = "Server URL (default: ${DEFAULT-VALUE}).")
    String endpoint = "http://127.0.0.1:8000";
  }

  static void print(JsonNode node) throws Exception {
    System.out.println(ServerClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List every backup in the store.")
  static final class ListCmd implements Callable<Integer> {
    @picocli.CommandLine.Mixin StoreOptions store = new StoreOptions();

    @Override
    public Integer call() throws Exception {
      BackupRepository repo = store.open();
      for (String name : repo.listManifests()) {
        try {
          Manifest m = repo.readManifest(name);
          System.out.printf(
              "%s  %-8s %-24s %s  items=%d%n",
              Instant.ofEpochMilli(m.metadata().creationTimeMillis()),
              m.metadata().backupType(),
              m.metadata().backupName(),
              m.metadata().backupArn(),
              m.metadata().itemCount());
        } catch (WrongKeyException e) {
          System.out.printf(
              "UNREADABLE (wrong key: written with key %s, this key ring holds %s) %s%n",
              e.storedKeyId(), repo.keys().ids(), name);
        } catch (Exception e) {
          System.out.printf("UNREADABLE (damaged manifest) %s: %s%n", name, e.getMessage());
        }
      }
      return 0;
    }
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = "Check every object of a backup: present, decryptable, right size and SHA-256.")
  static final class Verify implements Callable<Integer> {
    @picocli.CommandLine.Mixin StoreOptions store = new StoreOptions();

    @Parameters(paramLabel = "BACKUP_ARN")
    String arn;

    @Override
    public Integer call() throws Exception {
      BackupRepository repo = store.open();
      for (String name : repo.listManifests()) {
        Manifest m;
        try {
          m = repo.readManifest(name);
        } catch (Exception e) {
          if (name.endsWith("/" + arn.substring(arn.lastIndexOf('/') + 1))) {
            System.out.println("FAILED " + arn + ": " + e.getMessage());
            return 1;
          }
          continue;
        }
        if (m.metadata().backupArn().equals(arn)) {
          VerifyResult r = repo.verify(name);
          System.out.println((r.ok() ? "OK " : "FAILED ") + r.summary());
          r.problems()
              .forEach(
                  p ->
                      System.out.println(
                          "  " + p.kind() + " " + p.objectName() + ": " + p.message()));
          return r.ok() ? 0 : 1;
        }
      }
      System.out.println("FAILED no backup " + arn + " in " + store.spec().describe());
      return 1;
    }
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Start a backup of a table.")
  static final class Create implements Callable<Integer> {
    @picocli.CommandLine.Mixin ServerOptions server = new ServerOptions();

    @Parameters(index = "0", paramLabel = "TABLE")
    String table;

    @Parameters(index = "1", paramLabel = "BACKUP_NAME")
    String name;

    @Override
    public Integer call() throws Exception {
      ObjectNode req =
          ServerClient.JSON.createObjectNode().put("TableName", table).put("BackupName", name);
      print(new ServerClient(server.endpoint).call("CreateBackup", req));
      return 0;
    }
  }

  @Command(name = "describe", mixinStandardHelpOptions = true, description = "Describe a backup.")
  static final class Describe implements Callable<Integer> {
    @picocli.CommandLine.Mixin ServerOptions server = new ServerOptions();

    @Parameters(paramLabel = "BACKUP_ARN")
    String arn;

    @Override
    public Integer call() throws Exception {
      print(
          new ServerClient(server.endpoint)
              .call("DescribeBackup", ServerClient.JSON.createObjectNode().put("BackupArn", arn)));
      return 0;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a backup.")
  static final class Delete implements Callable<Integer> {
    @picocli.CommandLine.Mixin ServerOptions server = new ServerOptions();

    @Parameters(paramLabel = "BACKUP_ARN")
    String arn;

    @Override
    public Integer call() throws Exception {
      print(
          new ServerClient(server.endpoint)
              .call("DeleteBackup", ServerClient.JSON.createObjectNode().put("BackupArn", arn)));
      return 0;
    }
  }

  @Command(
      name = "restore",
      mixinStandardHelpOptions = true,
      description = "Restore a backup into a new table.")
  static final class Restore implements Callable<Integer> {
    @picocli.CommandLine.Mixin ServerOptions server = new ServerOptions();

    @Parameters(index = "0", paramLabel = "BACKUP_ARN")
    String arn;

    @Parameters(index = "1", paramLabel = "TARGET_TABLE")
    String target;

    @Override
    public Integer call() throws Exception {
      ObjectNode req =
          ServerClient.JSON.createObjectNode().put("BackupArn", arn).put("TargetTableName", target);
      print(new ServerClient(server.endpoint).call("RestoreTableFromBackup", req));
      return 0;
    }
  }
}
