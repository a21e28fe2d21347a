package dev.tidemark.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.api.Action;
import dev.tidemark.api.DynamoApi;
import dev.tidemark.api.Operations;
import dev.tidemark.awsbackup.BackupApi;
import dev.tidemark.backup.BackupRepository;
import dev.tidemark.backup.BackupService;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.DirectoryObjectStore;
import dev.tidemark.iam.IamApi;
import dev.tidemark.pitr.PitrService;
import dev.tidemark.storage.RocksStorage;
import dev.tidemark.tables.Database;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protects I11: the permission tables name exactly the operations the server routes, on every API
 * (DynamoDB, Streams, IAM, STS, AWS Backup). An operation registered without a line in them fails
 * here, and is refused at run time to everyone but the administrator. {@code
 * IamModeIntegrationTest} sends each of them through the live gate.
 */
class RouteGuardTest {
  @TempDir Path dir;

  @Test
  void everyDynamoAndStreamsOperationHasItsPermissions() throws Exception {
    try (Database db =
        new Database(
            RocksStorage.inMemory(),
            System::currentTimeMillis,
            false,
            "us-east-1",
            "000000000000")) {
      BackupService backups =
          new BackupService(
              db,
              new BackupRepository(
                  new DirectoryObjectStore(dir.resolve("store")), SymmetricKey.random()),
              dir.resolve("scratch"));
      PitrService pitr = new PitrService(db, backups, PitrService.Config.defaults());
      Operations ops = DynamoApi.operations(db, backups, pitr);
      Set<String> routed = ops.all().stream().map(Action::name).collect(Collectors.toSet());
      assertThat(routed).containsExactlyInAnyOrderElementsOf(DynamoPermissions.OPERATIONS);
      // The console's own operations (/console/api), as the gate names them.
      assertThat(new dev.tidemark.console.ConsoleApi(db, pitr, backups).gateNames())
          .containsExactlyInAnyOrderElementsOf(DynamoPermissions.TIDEMARK_OPERATIONS);
      backups.close();
    }
  }

  @Test
  void everyBackupOperationHasItsPermissions() {
    assertThat(BackupApi.actions(null, null).keySet().stream().map(op -> "backup:" + op).toList())
        .containsExactlyInAnyOrderElementsOf(BackupPermissions.OPERATIONS);
  }

  @Test
  void everyIamAndStsOperationHasItsPermissions() {
    assertThat(IamApi.actions(null).keySet())
        .containsExactlyInAnyOrderElementsOf(IamPermissions.OPERATIONS);
  }
}
