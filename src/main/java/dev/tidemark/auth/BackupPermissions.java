package dev.tidemark.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;

/**
 * What each AWS Backup operation needs permission for: {@code backup:<Operation>} on the resource
 * it names, as AWS Backup's authorization reference lists them: the vault for vault operations,
 * StartBackupJob and the listing of a vault's points; the recovery point for the operations on one
 * point and for StartRestoreJob; the plan for the operations on a plan and its selections; the
 * tagged resource for the tag operations; {@code *} for jobs, CreateBackupPlan and account-wide
 * listings.
 */
public final class BackupPermissions {
  public static final Set<String> OPERATIONS =
      Set.of(
          "backup:CreateBackupVault",
          "backup:DescribeBackupVault",
          "backup:ListBackupVaults",
          "backup:DeleteBackupVault",
          "backup:TagResource",
          "backup:UntagResource",
          "backup:ListTags",
          "backup:StartBackupJob",
          "backup:DescribeBackupJob",
          "backup:ListBackupJobs",
          "backup:StopBackupJob",
          "backup:DescribeRecoveryPoint",
          "backup:ListRecoveryPointsByBackupVault",
          "backup:ListRecoveryPointsByResource",
          "backup:DeleteRecoveryPoint",
          "backup:UpdateRecoveryPointLifecycle",
          "backup:GetRecoveryPointRestoreMetadata",
          "backup:StartRestoreJob",
          "backup:DescribeRestoreJob",
          "backup:ListRestoreJobs",
          "backup:CreateBackupPlan",
          "backup:GetBackupPlan",
          "backup:ListBackupPlans",
          "backup:UpdateBackupPlan",
          "backup:DeleteBackupPlan",
          "backup:CreateBackupSelection",
          "backup:GetBackupSelection",
          "backup:ListBackupSelections",
          "backup:DeleteBackupSelection",
          "backup:PutBackupVaultLockConfiguration",
          "backup:DeleteBackupVaultLockConfiguration",
          "backup:CreateRestoreTestingPlan",
          "backup:GetRestoreTestingPlan",
          "backup:ListRestoreTestingPlans",
          "backup:UpdateRestoreTestingPlan",
          "backup:DeleteRestoreTestingPlan",
          "backup:CreateRestoreTestingSelection",
          "backup:GetRestoreTestingSelection",
          "backup:ListRestoreTestingSelections",
          "backup:UpdateRestoreTestingSelection",
          "backup:DeleteRestoreTestingSelection",
          "backup:GetRestoreTestingInferredMetadata",
          "backup:GetRestoreJobMetadata",
          "backup:PutRestoreValidationResult",
          "backup:ListRestoreJobsByProtectedResource",
          "backup:StartCopyJob",
          "backup:DescribeCopyJob",
          "backup:ListCopyJobs",
          "backup:PutBackupVaultAccessPolicy",
          "backup:GetBackupVaultAccessPolicy",
          "backup:DeleteBackupVaultAccessPolicy");

  private final String vaultPrefix;
  private final String planPrefix;

  public BackupPermissions(String region, String account) {
    this.vaultPrefix = "arn:aws:backup:" + region + ":" + account + ":backup-vault:";
    this.planPrefix = "arn:aws:backup:" + region + ":" + account + ":backup-plan:";
  }

  /** The checks an operation needs, or null when the operation is unknown here (refused). */
  public List<Check> checks(String operation, JsonNode in) {
    if (!OPERATIONS.contains(operation)) {
      return null;
    }
    String resource =
        switch (operation) {
          case "backup:CreateBackupVault",
              "backup:DescribeBackupVault",
              "backup:DeleteBackupVault",
              "backup:StartBackupJob",
              "backup:ListRecoveryPointsByBackupVault",
              "backup:PutBackupVaultLockConfiguration",
              "backup:DeleteBackupVaultLockConfiguration",
              "backup:PutBackupVaultAccessPolicy",
              "backup:GetBackupVaultAccessPolicy",
              "backup:DeleteBackupVaultAccessPolicy" -> {
            String vault = text(in, "BackupVaultName");
            yield vault == null ? "*" : vaultPrefix + vault;
          }
          case "backup:DescribeRecoveryPoint",
                  "backup:DeleteRecoveryPoint",
                  "backup:UpdateRecoveryPointLifecycle",
                  "backup:GetRecoveryPointRestoreMetadata",
                  "backup:StartRestoreJob",
                  "backup:StartCopyJob" ->
              text(in, "RecoveryPointArn");
          case "backup:TagResource", "backup:UntagResource", "backup:ListTags" ->
              text(in, "ResourceArn");
          case "backup:GetBackupPlan",
              "backup:UpdateBackupPlan",
              "backup:DeleteBackupPlan",
              "backup:CreateBackupSelection",
              "backup:GetBackupSelection",
              "backup:ListBackupSelections",
              "backup:DeleteBackupSelection" -> {
            String plan = text(in, "BackupPlanId");
            yield plan == null ? "*" : planPrefix + plan;
          }
          default -> "*";
        };
    return List.of(new Check(operation, resource));
  }

  private static String text(JsonNode in, String field) {
    JsonNode n = in == null ? null : in.get(field);
    return n != null && n.isTextual() ? n.asText() : null;
  }
}
