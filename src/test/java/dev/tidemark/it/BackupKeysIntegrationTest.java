package dev.tidemark.it;

import static dev.tidemark.it.BackupIntegrationTest.backupAndWait;
import static dev.tidemark.it.BackupIntegrationTest.item;
import static dev.tidemark.it.BackupIntegrationTest.scanAll;
import static dev.tidemark.it.BackupIntegrationTest.waitActive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.backup.crypto.KeyManager;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.keys.KeyRefusedException;
import dev.tidemark.backup.keys.Passphrases;
import dev.tidemark.backup.keys.StoreKeys;
import dev.tidemark.backup.store.BackupStoreSpec;
import dev.tidemark.backup.store.DirectoryObjectStore;
import dev.tidemark.cli.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BackupStatus;
import software.amazon.awssdk.services.dynamodb.model.BackupSummary;
import software.amazon.awssdk.services.dynamodb.model.BackupTypeFilter;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/**
 * Issue 19's disaster-recovery drill through the SDK: a fresh server on an existing store without
 * the key file refuses to start (and changes nothing), a wrong key likewise; --new-backup-key
 * starts but lists the old backups as unreadable and answers their restore with the key they need;
 * linking the old key brings them back; a passphrase alone recovers everything.
 */
class BackupKeysIntegrationTest {
  @TempDir Path dir;

  private ServerConfig config(String host, Path keyFile, boolean newKey, Path passphraseFile) {
    return new ServerConfig(
        "127.0.0.1",
        0,
        dir.resolve(host),
        false,
        "us-east-1",
        ServerConfig.Durability.SYNC,
        "000000000000",
        new BackupStoreSpec.Directory(dir.resolve("backups")),
        keyFile,
        Duration.ofSeconds(30),
        Duration.ofHours(24),
        null,
        newKey,
        passphraseFile,
        null,
        null);
  }

  /** Host 1 (default key file beside the store): a table of 20 items and one backup. */
  private String firstHostWithBackup() throws Exception {
    try (LiveServer s = LiveServer.start(config("host1", null, false, null))) {
      DynamoDbClient ddb = s.client;
      ddb.createTable(ControlPlaneIntegrationTest.table("precious").build());
      for (int i = 0; i < 20; i++) {
        int sk = i;
        ddb.putItem(r -> r.tableName("precious").item(item("p", sk, "secret-" + sk)));
      }
      return backupAndWait(ddb, "precious", "precious-bk");
    }
  }

  private Path defaultKeyFile() {
    return dir.resolve("tidemark-backup.key");
  }

  private Map<String, Long> storeFiles() throws Exception {
    Map<String, Long> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(dir.resolve("backups"))) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(p)) {
          out.put(dir.relativize(p).toString(), Files.size(p) * 31 + Files.readAllBytes(p)[0]);
        }
      }
    }
    return out;
  }

  @Test
  void lostOrWrongKeyNeverHidesBackups() throws Exception {
    String arn = firstHostWithBackup();
    SymmetricKey oldKey = KeyManager.readKeyFile(defaultKeyFile());
    Path oldCopy = dir.resolve("safe-copy.key");
    Files.move(defaultKeyFile(), oldCopy);
    Map<String, Long> before = storeFiles();

    // The key file is gone: refused, naming the store, the key id and the file; nothing created.
    assertThatThrownBy(() -> LiveServer.start(config("host2", null, false, null)))
        .isInstanceOf(KeyRefusedException.class)
        .hasMessageContaining(dir.resolve("backups").toString())
        .hasMessageContaining("key " + oldKey.id())
        .hasMessageContaining(defaultKeyFile().toString());
    assertThat(Files.exists(defaultKeyFile())).isFalse();
    // A wrong key: refused the same way.
    Path wrong = dir.resolve("wrong.key");
    KeyManager.writeKeyFile(wrong, SymmetricKey.random());
    assertThatThrownBy(() -> LiveServer.start(config("host2", wrong, false, null)))
        .isInstanceOf(KeyRefusedException.class)
        .hasMessageContaining("not the key of this store");
    assertThat(storeFiles()).as("a refused start changes nothing in the store").isEqualTo(before);
    assertThat(Files.exists(dir.resolve("host2"))).as("refused before the data dir").isFalse();

    // Told explicitly, it starts with a new key; the old backup is listed as unreadable.
    Path newKey = dir.resolve("new.key");
    String unreadableArn;
    try (LiveServer s = LiveServer.start(config("host2", newKey, true, null))) {
      DynamoDbClient ddb = s.client;
      BackupSummary row =
          ddb.listBackups(r -> r.backupType(BackupTypeFilter.ALL)).backupSummaries().stream()
              .filter(b -> b.backupName().startsWith("UNREADABLE."))
              .filter(b -> b.backupArn().endsWith(arn.substring(arn.lastIndexOf('/'))))
              .findFirst()
              .orElseThrow();
      assertThat(row.backupName()).isEqualTo("UNREADABLE.wrong-key." + oldKey.id());
      assertThat(row.backupStatus()).isEqualTo(BackupStatus.AVAILABLE);
      assertThat(row.backupCreationDateTime()).isNotNull();
      unreadableArn = row.backupArn();
      assertThatThrownBy(
              () ->
                  ddb.restoreTableFromBackup(
                      r -> r.backupArn(unreadableArn).targetTableName("precious")))
          .isInstanceOf(DynamoDbException.class)
          .hasMessageContaining("was encrypted with backup master key " + oldKey.id())
          .satisfies(
              e ->
                  assertThat(((DynamoDbException) e).awsErrorDetails().errorCode())
                      .isEqualTo("ValidationException"));
      assertThatThrownBy(() -> ddb.describeBackup(r -> r.backupArn(unreadableArn)))
          .hasMessageContaining(oldKey.id());
    }
    // The old key file turns up again: linked under the new key, its backups come back.
    DirectoryObjectStore store = DirectoryObjectStore.forReading(dir.resolve("backups"));
    StoreKeys.putChain(store, KeyManager.readKeyFile(newKey), oldKey);
    try (LiveServer s = LiveServer.start(config("host2", newKey, false, null))) {
      DynamoDbClient ddb = s.client;
      assertThat(ddb.listBackups(r -> r.backupType(BackupTypeFilter.ALL)).backupSummaries())
          .extracting(BackupSummary::backupArn)
          .contains(arn);
      ddb.restoreTableFromBackup(r -> r.backupArn(arn).targetTableName("precious"));
      waitActive(ddb, "precious");
      assertThat(scanAll(ddb, "precious")).hasSize(20);
    }
  }

  @Test
  void passphraseAloneRecoversOnAFreshHost() throws Exception {
    String arn = firstHostWithBackup();
    SymmetricKey key = KeyManager.readKeyFile(defaultKeyFile());
    DirectoryObjectStore store = DirectoryObjectStore.forReading(dir.resolve("backups"));
    Passphrases.add(
        store,
        key,
        StoreKeys.inspect(store).current().orElseThrow().generation(),
        "drill passphrase 2026",
        1);
    Files.delete(defaultKeyFile());
    Path bad = dir.resolve("bad.txt");
    Files.writeString(bad, "not it\n");
    assertThatThrownBy(() -> LiveServer.start(config("host2", null, false, bad)))
        .isInstanceOf(KeyRefusedException.class)
        .hasMessageContaining("the recovery passphrase is wrong");
    Path good = dir.resolve("good.txt");
    Files.writeString(good, "drill passphrase 2026\n");
    try (LiveServer s = LiveServer.start(config("host2", null, false, good))) {
      DynamoDbClient ddb = s.client;
      ddb.restoreTableFromBackup(r -> r.backupArn(arn).targetTableName("precious"));
      waitActive(ddb, "precious");
      assertThat(scanAll(ddb, "precious")).hasSize(20);
    }
    assertThat(Files.exists(defaultKeyFile())).as("the recovered key stays in memory").isFalse();
  }
}
