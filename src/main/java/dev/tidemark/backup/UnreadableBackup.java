package dev.tidemark.backup;

import dev.tidemark.backup.crypto.WrongKeyException;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * A backup whose manifest exists in the store but cannot be read: written under a master key this
 * server does not hold, or damaged. Only what the manifest's name tells is known (table
 * incarnation, backup id and so creation time); name, type and table name are inside the encrypted
 * manifest.
 *
 * <p>ListBackups must stay within DynamoDB's BackupSummary shape, so such a backup is reported as
 * BackupStatus AVAILABLE (its objects are in the store; it becomes restorable as soon as the reason
 * is fixed), BackupType USER, BackupName {@code UNREADABLE.wrong-key.<key id>} or {@code
 * UNREADABLE.damaged-manifest} (DynamoDB's name alphabet), TableId the incarnation, and an ARN with
 * the TableId in place of the unknown table name. Describe, restore and delete answer a
 * ValidationException carrying {@link #reason()}.
 *
 * @param kind {@code wrong-key} or {@code damaged-manifest}
 * @param keyId for {@code wrong-key}, the key the manifest was encrypted with
 * @param reason the full explanation, for messages and the CLI
 */
public record UnreadableBackup(
    String arn,
    String manifestName,
    String tableUuid,
    String backupId,
    long creationMillis,
    String kind,
    String keyId,
    String reason) {

  public static final String WRONG_KEY = "wrong-key";
  public static final String DAMAGED = "damaged-manifest";

  /**
   * @param tableArn the ARN of a table name, as the server renders it
   */
  public static UnreadableBackup of(
      String manifestName, Exception e, UnaryOperator<String> tableArn) {
    BackupLayout.ManifestId id = BackupLayout.parseManifestName(manifestName);
    long created = creationMillis(id.backupId());
    String arn = tableArn.apply(id.tableId()) + "/backup/" + id.backupId();
    if (e instanceof WrongKeyException w) {
      return new UnreadableBackup(
          arn,
          manifestName,
          id.tableId(),
          id.backupId(),
          created,
          WRONG_KEY,
          w.storedKeyId(),
          "backup "
              + arn
              + " was encrypted with backup master key "
              + w.storedKeyId()
              + ", but this server's key is "
              + w.configuredKeyId()
              + " (a wrong or missing key file, or a key that was never linked after"
              + " --new-backup-key): configure key "
              + w.storedKeyId()
              + " or link it with `tidemark backup link-key`");
    }
    return new UnreadableBackup(
        arn,
        manifestName,
        id.tableId(),
        id.backupId(),
        created,
        DAMAGED,
        null,
        "backup " + arn + " has a damaged manifest (" + manifestName + "): " + e.getMessage());
  }

  /** {@code UNREADABLE.wrong-key.<id>} or {@code UNREADABLE.damaged-manifest}. */
  public String name() {
    return "UNREADABLE." + kind + (keyId == null ? "" : "." + keyId);
  }

  /** Backup ids start with the creation time in epoch milliseconds (14 digits). */
  static long creationMillis(String backupId) {
    int dash = backupId.indexOf('-');
    try {
      return Long.parseLong(dash > 0 ? backupId.substring(0, dash) : backupId);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** "2 wrong-key (key 7f..), 1 damaged-manifest", for one log line. */
  static String causes(Collection<UnreadableBackup> all) {
    Map<String, Integer> n = new TreeMap<>();
    for (UnreadableBackup u : all) {
      n.merge(u.kind + (u.keyId == null ? "" : " (key " + u.keyId + ")"), 1, Integer::sum);
    }
    StringBuilder b = new StringBuilder();
    n.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(v).append(' ').append(k));
    return b.toString();
  }
}
