package dev.tidemark.backup.keys;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.backup.BackupMetadata;
import dev.tidemark.backup.BackupRepository;
import dev.tidemark.backup.BackupWriter;
import dev.tidemark.backup.LogPosition;
import dev.tidemark.backup.ObjectSource;
import dev.tidemark.backup.store.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/** Backups and PITR-like table objects written through the public repository API. */
final class StoreFixture {
  private StoreFixture() {}

  static void backup(BackupRepository repo, String tableId, String backupId) throws IOException {
    try (BackupWriter w = repo.begin(tableId, backupId)) {
      w.addObject(
          "items", ObjectSource.of((tableId + "/" + backupId).getBytes(StandardCharsets.UTF_8)));
      w.commit(
          new BackupMetadata(
              "arn:aws:dynamodb:us-east-1:000000000000:table/T" + tableId + "/backup/" + backupId,
              "nightly",
              "USER",
              "T" + tableId,
              tableId,
              "arn:aws:dynamodb:us-east-1:000000000000:table/T" + tableId,
              new ObjectMapper().createObjectNode(),
              new LogPosition(1, 1_700_000_000_000L),
              1,
              10,
              1_700_000_000_500L));
    }
  }

  /** A PITR state object, as the archiver writes one (encrypted under the table key). */
  static void pitrState(BackupRepository repo, String tableId) throws IOException {
    repo.putTableObject(
        tableId, "pitr/" + tableId + "/state/0001", "{}".getBytes(StandardCharsets.UTF_8));
  }

  /** Every object's name and bytes: to prove something left the store untouched. */
  static Map<String, String> snapshot(ObjectStore store) throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (String n : store.list("")) {
      out.put(n, java.util.HexFormat.of().formatHex(store.getBytes(n)));
    }
    return out;
  }
}
