package dev.tidemark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.backup.BackupMetadata;
import dev.tidemark.backup.BackupRepository;
import dev.tidemark.backup.BackupWriter;
import dev.tidemark.backup.LogPosition;
import dev.tidemark.backup.ObjectSource;
import dev.tidemark.backup.crypto.KeyManager;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.DirectoryObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key commands an operator runs in a drill: add a recovery passphrase, rotate the key, list
 * backups with the new key, with the passphrase alone, and with a wrong key (shown as unreadable,
 * not hidden), and see the key records. A rotation with a wrong key changes nothing.
 */
class BackupKeyCommandsTest {
  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  private static synchronized Run run(String... args) {
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      int exit = Main.commandLine().setErr(new PrintWriter(err, true)).execute(args);
      return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(saved);
    }
  }

  private String backupArn(BackupRepository repo) throws Exception {
    String arn =
        "arn:aws:dynamodb:us-east-1:000000000000:table/Music/backup/01700000000000-0000abcd";
    try (BackupWriter w = repo.begin("t1", "01700000000000-0000abcd")) {
      w.addObject("items", ObjectSource.of("rows".getBytes(StandardCharsets.UTF_8)));
      w.commit(
          new BackupMetadata(
              arn,
              "nightly",
              "USER",
              "Music",
              "t1",
              "arn:aws:dynamodb:us-east-1:000000000000:table/Music",
              new ObjectMapper().createObjectNode(),
              new LogPosition(1, 1),
              1,
              4,
              1_700_000_000_000L));
    }
    return arn;
  }

  @Test
  void drillWithPassphraseRotationAndWrongKey() throws Exception {
    Path store = dir.resolve("backups");
    Path oldKey = dir.resolve("old.key");
    SymmetricKey k1 = SymmetricKey.random();
    KeyManager.writeKeyFile(oldKey, k1);
    String arn = backupArn(new BackupRepository(new DirectoryObjectStore(store), k1));
    Path pass = dir.resolve("pass.txt");
    Files.writeString(pass, "a long drill passphrase\n");
    String s = store.toString();

    Run added =
        run(
            "backup",
            "passphrase",
            "add",
            "--backup-dir",
            s,
            "--backup-key-file",
            oldKey.toString(),
            "--new-passphrase-file",
            pass.toString());
    assertThat(added.exit()).as(added.err()).isZero();

    Path wrongKey = dir.resolve("wrong.key");
    KeyManager.writeKeyFile(wrongKey, SymmetricKey.random());
    List<String> before = new DirectoryObjectStore(store).list("");
    Run refused =
        run(
            "backup",
            "rotate-key",
            "--backup-dir",
            s,
            "--backup-key-file",
            wrongKey.toString(),
            "--new-key-file",
            dir.resolve("never.key").toString());
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err()).contains("is not the backup store's current key");
    assertThat(DirectoryObjectStore.forReading(store).list("")).isEqualTo(before);
    assertThat(Files.exists(dir.resolve("never.key"))).isFalse();

    Path newKey = dir.resolve("new.key");
    Run rotated =
        run(
            "backup",
            "rotate-key",
            "--backup-dir",
            s,
            "--backup-key-file",
            oldKey.toString(),
            "--new-key-file",
            newKey.toString());
    assertThat(rotated.exit()).as(rotated.err()).isZero();
    assertThat(rotated.out()).contains("Rotated the backup master key " + k1.id());
    SymmetricKey k2 = KeyManager.readKeyFile(newKey);

    assertThat(
            run("backup", "list", "--backup-dir", s, "--backup-key-file", newKey.toString()).out())
        .contains(arn)
        .doesNotContain("UNREADABLE");
    // No key file anywhere: the passphrase alone opens the store, at the new key.
    assertThat(
            run("backup", "list", "--backup-dir", s, "--backup-passphrase-file", pass.toString())
                .out())
        .contains(arn);
    assertThat(
            run("backup", "list", "--backup-dir", s, "--backup-key-file", wrongKey.toString())
                .out())
        .contains("UNREADABLE (wrong key: written with key " + k1.id());
    assertThat(run("backup", "keys", "--backup-dir", s).out())
        .contains("key " + k2.id() + "  generation 2  rotation")
        .contains("CURRENT")
        .contains("chain: key " + k2.id() + " reads key " + k1.id())
        .contains("passphrase slot ");
  }
}
