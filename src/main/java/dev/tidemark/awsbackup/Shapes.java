package dev.tidemark.awsbackup;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.managed.BackupJob;
import dev.tidemark.managed.Lifecycle;
import dev.tidemark.managed.ManagedBackups;
import dev.tidemark.managed.RecoveryPoint;
import dev.tidemark.managed.RestoreJob;
import dev.tidemark.managed.Vault;
import java.math.BigDecimal;
import java.util.Map;

/**
 * The model's output shapes, rendered from the core's records. Timestamps are epoch seconds with a
 * fraction, as restJson1 bodies carry them.
 */
public final class Shapes {
  private Shapes() {}

  public static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  public static BigDecimal seconds(long millis) {
    return BigDecimal.valueOf(millis).movePointLeft(3);
  }

  /** DescribeBackupVault's output and, without the fields the list omits, a list member. */
  public static ObjectNode vault(Vault v, int points) {
    ObjectNode o = object();
    o.put("BackupVaultName", v.name());
    o.put("BackupVaultArn", v.arn());
    o.put("VaultType", "BACKUP_VAULT");
    o.put("VaultState", "AVAILABLE");
    o.put("CreationDate", seconds(v.creationMillis()));
    if (v.encryptionKeyArn() != null) {
      o.put("EncryptionKeyArn", v.encryptionKeyArn());
    }
    if (v.creatorRequestId() != null) {
      o.put("CreatorRequestId", v.creatorRequestId());
    }
    o.put("NumberOfRecoveryPoints", points);
    o.put("Locked", v.lock() != null);
    if (v.lock() != null) {
      if (v.lock().minRetentionDays() != null) {
        o.put("MinRetentionDays", v.lock().minRetentionDays());
      }
      if (v.lock().maxRetentionDays() != null) {
        o.put("MaxRetentionDays", v.lock().maxRetentionDays());
      }
      if (v.lock().lockDateMillis() != null) {
        o.put("LockDate", seconds(v.lock().lockDateMillis()));
      }
    }
    return o;
  }

  public static ObjectNode lifecycle(Lifecycle l) {
    ObjectNode o = object();
    if (l.moveToColdStorageAfterDays() != null) {
      o.put("MoveToColdStorageAfterDays", l.moveToColdStorageAfterDays());
    }
    if (l.deleteAfterDays() != null) {
      o.put("DeleteAfterDays", l.deleteAfterDays());
    }
    return o;
  }

  public static ObjectNode calculatedLifecycle(Lifecycle l, long creationMillis) {
    ObjectNode o = object();
    Long cold = l.moveToColdStorageAt(creationMillis);
    Long delete = l.deleteAt(creationMillis);
    if (cold != null) {
      o.put("MoveToColdStorageAt", seconds(cold));
    }
    if (delete != null) {
      o.put("DeleteAt", seconds(delete));
    }
    return o;
  }

  public static ObjectNode backupJob(ManagedBackups core, BackupJob j) {
    ObjectNode o = object();
    o.put("AccountId", core.account());
    o.put("BackupJobId", j.id());
    o.put("BackupVaultName", j.vaultName());
    o.put("BackupVaultArn", core.vaultArn(j.vaultName()));
    o.put("VaultType", "BACKUP_VAULT");
    o.put("RecoveryPointArn", j.recoveryPointArn());
    if (!j.lifecycle().isEmpty()) {
      o.set("RecoveryPointLifecycle", lifecycle(j.lifecycle()));
    }
    o.put("IsEncrypted", true);
    o.put("ResourceArn", j.resourceArn());
    o.put("CreationDate", seconds(j.creationMillis()));
    if (j.completionMillis() != null) {
      o.put("CompletionDate", seconds(j.completionMillis()));
    }
    o.put("State", j.state());
    if (j.statusMessage() != null) {
      o.put("StatusMessage", j.statusMessage());
    }
    o.put("PercentDone", BackupJob.COMPLETED.equals(j.state()) ? "100.0" : "0.0");
    o.put("BackupSizeInBytes", j.sizeBytes());
    o.put("BytesTransferred", j.sizeBytes());
    if (j.iamRoleArn() != null) {
      o.put("IamRoleArn", j.iamRoleArn());
    }
    o.set("CreatedBy", CopyShapes.creator(j.createdBy()));
    if (j.completeByMillis() != null) {
      o.put("ExpectedCompletionDate", seconds(j.completeByMillis()));
    }
    o.put("StartBy", seconds(j.startByMillis()));
    o.put("ResourceType", "DynamoDB");
    o.put("ResourceName", j.resourceName());
    if (j.startedMillis() != null) {
      o.put("InitiationDate", seconds(j.startedMillis()));
    }
    o.put("IsParent", false);
    o.put("MessageCategory", j.statusMessage() == null ? "SUCCESS" : j.state());
    return o;
  }

  /** DescribeRecoveryPoint's output; a RecoveryPointByBackupVault list member is the same. */
  public static ObjectNode point(ManagedBackups core, RecoveryPoint p) {
    ObjectNode o = object();
    o.put("RecoveryPointArn", p.arn());
    o.put("BackupVaultName", p.vaultName());
    o.put("BackupVaultArn", core.vaultArn(p.vaultName()));
    if (p.sourceBackupVaultArn() != null) {
      o.put("SourceBackupVaultArn", p.sourceBackupVaultArn());
    }
    o.put("ResourceArn", p.resourceArn());
    o.put("ResourceType", "DynamoDB");
    o.put("ResourceName", p.resourceName());
    o.set("CreatedBy", CopyShapes.creator(p.createdBy()));
    if (p.iamRoleArn() != null) {
      o.put("IamRoleArn", p.iamRoleArn());
    }
    o.put("Status", p.status());
    o.put("CreationDate", seconds(p.creationMillis()));
    o.put("InitiationDate", seconds(p.creationMillis()));
    if (p.completionMillis() != null) {
      o.put("CompletionDate", seconds(p.completionMillis()));
    }
    o.put("BackupSizeInBytes", p.sizeBytes());
    if (!p.lifecycle().isEmpty()) {
      o.set("Lifecycle", lifecycle(p.lifecycle()));
      o.set(
          "CalculatedLifecycle",
          calculatedLifecycle(core.effectiveLifecycle(p), p.creationMillis()));
    }
    // Every object of the backup store is encrypted under its master key, not a KMS key.
    o.put("IsEncrypted", true);
    o.put("EncryptionKeyType", "AWS_OWNED_KMS_KEY");
    o.put("StorageClass", core.storageClass(p));
    o.put("IsParent", false);
    o.put("VaultType", "BACKUP_VAULT");
    return o;
  }

  /** A RecoveryPointByResource list member (note BackupSizeBytes, as in the model). */
  public static ObjectNode pointByResource(RecoveryPoint p) {
    ObjectNode o = object();
    o.put("RecoveryPointArn", p.arn());
    o.put("CreationDate", seconds(p.creationMillis()));
    o.put("Status", p.status());
    o.put("BackupSizeBytes", p.sizeBytes());
    o.put("BackupVaultName", p.vaultName());
    o.put("IsParent", false);
    o.put("ResourceName", p.resourceName());
    o.put("VaultType", "BACKUP_VAULT");
    o.put("EncryptionKeyType", "AWS_OWNED_KMS_KEY");
    return o;
  }

  public static ObjectNode restoreJob(ManagedBackups core, RestoreJob j) {
    ObjectNode o = object();
    o.put("AccountId", core.account());
    o.put("RestoreJobId", j.id());
    o.put("RecoveryPointArn", j.recoveryPointArn());
    o.put("SourceResourceArn", j.sourceResourceArn());
    o.put("BackupVaultArn", core.vaultArn(j.vaultName()));
    o.put("CreationDate", seconds(j.creationMillis()));
    if (j.completionMillis() != null) {
      o.put("CompletionDate", seconds(j.completionMillis()));
    }
    o.put("Status", j.status());
    if (j.statusMessage() != null) {
      o.put("StatusMessage", j.statusMessage());
    }
    o.put("PercentDone", RestoreJob.COMPLETED.equals(j.status()) ? "100.0" : "0.0");
    o.put("BackupSizeInBytes", j.sizeBytes());
    if (j.iamRoleArn() != null) {
      o.put("IamRoleArn", j.iamRoleArn());
    }
    if (j.createdResourceArn() != null) {
      o.put("CreatedResourceArn", j.createdResourceArn());
    }
    o.put("ResourceType", "DynamoDB");
    o.put("RecoveryPointCreationDate", seconds(j.recoveryPointCreationMillis()));
    o.put("IsParent", false);
    core.restoreTest(j.id()).ifPresent(t -> RestoreTesting.addTo(o, t));
    return o;
  }

  public static ObjectNode strings(Map<String, String> map) {
    ObjectNode o = object();
    map.forEach(o::put);
    return o;
  }
}
