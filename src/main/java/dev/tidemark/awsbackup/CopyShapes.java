package dev.tidemark.awsbackup;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.managed.CopyJob;
import dev.tidemark.managed.CreatedBy;
import dev.tidemark.managed.ManagedBackups;

/** The model's {@code CopyJob} shape and the {@code RecoveryPointCreator} it carries. */
public final class CopyShapes {
  private CopyShapes() {}

  public static ObjectNode copyJob(ManagedBackups core, CopyJob j) {
    ObjectNode o = Shapes.object();
    o.put("AccountId", core.account());
    o.put("CopyJobId", j.id());
    o.put("SourceBackupVaultArn", core.vaultArn(j.sourceVaultName()));
    o.put("SourceRecoveryPointArn", j.sourceRecoveryPointArn());
    o.put("DestinationBackupVaultArn", j.destinationVaultArn());
    o.put("DestinationVaultType", "BACKUP_VAULT");
    if (j.destinationRecoveryPointArn() != null) {
      o.put("DestinationRecoveryPointArn", j.destinationRecoveryPointArn());
    }
    if (!j.lifecycle().isEmpty()) {
      o.set("DestinationRecoveryPointLifecycle", Shapes.lifecycle(j.lifecycle()));
    }
    o.put("ResourceArn", j.resourceArn());
    o.put("CreationDate", Shapes.seconds(j.creationMillis()));
    if (j.completionMillis() != null) {
      o.put("CompletionDate", Shapes.seconds(j.completionMillis()));
    }
    o.put("State", j.state());
    if (j.statusMessage() != null) {
      o.put("StatusMessage", j.statusMessage());
    }
    o.put("BackupSizeInBytes", j.sizeBytes());
    if (j.iamRoleArn() != null) {
      o.put("IamRoleArn", j.iamRoleArn());
    }
    o.set("CreatedBy", creator(j.createdBy()));
    if (j.createdByBackupJobId() != null) {
      o.put("CreatedByBackupJobId", j.createdByBackupJobId());
    }
    o.put("ResourceType", "DynamoDB");
    o.put("IsParent", false);
    o.put("NumberOfChildJobs", 0);
    o.put("ResourceName", j.resourceName());
    o.put("MessageCategory", messageCategory(j));
    return o;
  }

  /** AWS's categories: SUCCESS, or the kind of failure (here: access, or the rest). */
  public static String messageCategory(CopyJob j) {
    if (!CopyJob.FAILED.equals(j.state())) {
      return "SUCCESS";
    }
    String m = j.statusMessage() == null ? "" : j.statusMessage();
    return m.startsWith("Access denied") ? "ACCESS_DENIED" : "FAILED";
  }

  public static ObjectNode creator(CreatedBy by) {
    ObjectNode o = Shapes.object();
    if (by != null) {
      o.put("BackupPlanId", by.backupPlanId());
      o.put("BackupPlanArn", by.backupPlanArn());
      o.put("BackupPlanName", by.backupPlanName());
      o.put("BackupPlanVersion", by.backupPlanVersion());
      o.put("BackupRuleId", by.backupRuleId());
      o.put("BackupRuleName", by.backupRuleName());
      o.put("BackupRuleCron", by.backupRuleCron());
      o.put("BackupRuleTimezone", by.backupRuleTimezone());
    }
    return o;
  }
}
