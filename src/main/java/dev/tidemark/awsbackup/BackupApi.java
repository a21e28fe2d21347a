package dev.tidemark.awsbackup;

import dev.tidemark.awsbackup.actions.CreateBackupPlan;
import dev.tidemark.awsbackup.actions.CreateBackupSelection;
import dev.tidemark.awsbackup.actions.CreateBackupVault;
import dev.tidemark.awsbackup.actions.CreateRestoreTestingPlan;
import dev.tidemark.awsbackup.actions.CreateRestoreTestingSelection;
import dev.tidemark.awsbackup.actions.DeleteBackupPlan;
import dev.tidemark.awsbackup.actions.DeleteBackupSelection;
import dev.tidemark.awsbackup.actions.DeleteBackupVault;
import dev.tidemark.awsbackup.actions.DeleteBackupVaultAccessPolicy;
import dev.tidemark.awsbackup.actions.DeleteBackupVaultLockConfiguration;
import dev.tidemark.awsbackup.actions.DeleteRecoveryPoint;
import dev.tidemark.awsbackup.actions.DeleteRestoreTestingPlan;
import dev.tidemark.awsbackup.actions.DeleteRestoreTestingSelection;
import dev.tidemark.awsbackup.actions.DescribeBackupJob;
import dev.tidemark.awsbackup.actions.DescribeBackupVault;
import dev.tidemark.awsbackup.actions.DescribeCopyJob;
import dev.tidemark.awsbackup.actions.DescribeRecoveryPoint;
import dev.tidemark.awsbackup.actions.DescribeRestoreJob;
import dev.tidemark.awsbackup.actions.GetBackupPlan;
import dev.tidemark.awsbackup.actions.GetBackupSelection;
import dev.tidemark.awsbackup.actions.GetBackupVaultAccessPolicy;
import dev.tidemark.awsbackup.actions.GetRecoveryPointRestoreMetadata;
import dev.tidemark.awsbackup.actions.GetRestoreJobMetadata;
import dev.tidemark.awsbackup.actions.GetRestoreTestingInferredMetadata;
import dev.tidemark.awsbackup.actions.GetRestoreTestingPlan;
import dev.tidemark.awsbackup.actions.GetRestoreTestingSelection;
import dev.tidemark.awsbackup.actions.ListBackupJobs;
import dev.tidemark.awsbackup.actions.ListBackupPlans;
import dev.tidemark.awsbackup.actions.ListBackupSelections;
import dev.tidemark.awsbackup.actions.ListBackupVaults;
import dev.tidemark.awsbackup.actions.ListCopyJobs;
import dev.tidemark.awsbackup.actions.ListRecoveryPointsByBackupVault;
import dev.tidemark.awsbackup.actions.ListRecoveryPointsByResource;
import dev.tidemark.awsbackup.actions.ListRestoreJobs;
import dev.tidemark.awsbackup.actions.ListRestoreJobsByProtectedResource;
import dev.tidemark.awsbackup.actions.ListRestoreTestingPlans;
import dev.tidemark.awsbackup.actions.ListRestoreTestingSelections;
import dev.tidemark.awsbackup.actions.ListTags;
import dev.tidemark.awsbackup.actions.PutBackupVaultAccessPolicy;
import dev.tidemark.awsbackup.actions.PutBackupVaultLockConfiguration;
import dev.tidemark.awsbackup.actions.PutRestoreValidationResult;
import dev.tidemark.awsbackup.actions.StartBackupJob;
import dev.tidemark.awsbackup.actions.StartCopyJob;
import dev.tidemark.awsbackup.actions.StartRestoreJob;
import dev.tidemark.awsbackup.actions.StopBackupJob;
import dev.tidemark.awsbackup.actions.TagResource;
import dev.tidemark.awsbackup.actions.UntagResource;
import dev.tidemark.awsbackup.actions.UpdateBackupPlan;
import dev.tidemark.awsbackup.actions.UpdateRecoveryPointLifecycle;
import dev.tidemark.awsbackup.actions.UpdateRestoreTestingPlan;
import dev.tidemark.awsbackup.actions.UpdateRestoreTestingSelection;
import dev.tidemark.managed.BackupPlans;
import dev.tidemark.managed.CopyJobs;
import dev.tidemark.managed.ManagedBackups;
import dev.tidemark.managed.PlanTags;
import dev.tidemark.managed.VaultAccessPolicies;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every AWS Backup operation served, by name (the gate authorizes {@code backup:<name>}). */
public final class BackupApi {
  private BackupApi() {}

  public static Map<String, BackupAction> actions(ManagedBackups core, BackupPlans plans) {
    return actions(core, plans, null, null);
  }

  public static Map<String, BackupAction> actions(
      ManagedBackups core, BackupPlans plans, CopyJobs copies, VaultAccessPolicies policies) {
    Map<String, BackupAction> byName = new LinkedHashMap<>();
    Tagging tagging =
        new Tagging(core, core == null || plans == null ? null : new PlanTags(core, plans));
    for (BackupAction a :
        List.of(
            new CreateBackupVault(core),
            new DescribeBackupVault(core),
            new ListBackupVaults(core),
            new DeleteBackupVault(core),
            new TagResource(tagging),
            new UntagResource(tagging),
            new ListTags(tagging),
            new StartBackupJob(core),
            new DescribeBackupJob(core),
            new ListBackupJobs(core),
            new StopBackupJob(core),
            new DescribeRecoveryPoint(core),
            new ListRecoveryPointsByBackupVault(core),
            new ListRecoveryPointsByResource(core),
            new DeleteRecoveryPoint(core),
            new UpdateRecoveryPointLifecycle(core),
            new GetRecoveryPointRestoreMetadata(core),
            new StartRestoreJob(core),
            new DescribeRestoreJob(core),
            new ListRestoreJobs(core),
            new PutBackupVaultLockConfiguration(core),
            new DeleteBackupVaultLockConfiguration(core),
            new CreateBackupPlan(plans, tagging.planTags()),
            new GetBackupPlan(plans),
            new ListBackupPlans(plans),
            new UpdateBackupPlan(plans),
            new DeleteBackupPlan(plans),
            new CreateBackupSelection(plans),
            new GetBackupSelection(plans),
            new ListBackupSelections(plans),
            new DeleteBackupSelection(plans),
            new CreateRestoreTestingPlan(core),
            new GetRestoreTestingPlan(core),
            new ListRestoreTestingPlans(core),
            new UpdateRestoreTestingPlan(core),
            new DeleteRestoreTestingPlan(core),
            new CreateRestoreTestingSelection(core),
            new GetRestoreTestingSelection(core),
            new ListRestoreTestingSelections(core),
            new UpdateRestoreTestingSelection(core),
            new DeleteRestoreTestingSelection(core),
            new GetRestoreTestingInferredMetadata(core),
            new GetRestoreJobMetadata(core),
            new PutRestoreValidationResult(core),
            new ListRestoreJobsByProtectedResource(core),
            new StartCopyJob(copies),
            new DescribeCopyJob(copies),
            new ListCopyJobs(copies),
            new PutBackupVaultAccessPolicy(policies),
            new GetBackupVaultAccessPolicy(policies),
            new DeleteBackupVaultAccessPolicy(policies))) {
      if (byName.putIfAbsent(a.name(), a) != null) {
        throw new IllegalStateException("registered twice: " + a.name());
      }
    }
    return Map.copyOf(byName);
  }

  /** The front for the same port, behind the one gate. */
  public static RestJsonHandler handler(
      ManagedBackups core,
      BackupPlans plans,
      CopyJobs copies,
      VaultAccessPolicies policies,
      dev.tidemark.auth.Authenticator gate,
      java.util.function.Supplier<String> requestIds) {
    return new RestJsonHandler(
        new Routes(actions(core, plans, copies, policies).values()), gate, requestIds);
  }
}
