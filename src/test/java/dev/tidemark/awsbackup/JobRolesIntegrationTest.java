package dev.tidemark.awsbackup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.cli.Bootstrap;
import dev.tidemark.replication.ReplicationConfig;
import dev.tidemark.testkit.IamServerConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * Protects IamRoleArn in {@code --auth iam} mode, through a live server with roles made by the
 * SDK's IamClient: a backup job (started by StartBackupJob or by a plan's scheduled run), a restore
 * job and a copy job run only under a role that exists, whose trust policy lets {@code
 * backup.amazonaws.com} assume it, and whose policies allow what the job does; otherwise the job is
 * FAILED with AWS Backup's StatusMessage and leaves nothing behind (no recovery point, no table, no
 * copy).
 */
class JobRolesIntegrationTest {
  private static final String ACCOUNT = "123456789012";
  private static final String TABLE = "arn:aws:dynamodb:us-east-1:" + ACCOUNT + ":table/orders";
  private static final String ROLES = "arn:aws:iam::" + ACCOUNT + ":role/";
  private static final String VAULTS = "arn:aws:backup:us-east-1:" + ACCOUNT + ":backup-vault:";

  @TempDir Path dir;
  private final AtomicLong offset = new AtomicLong();
  private Bootstrap.Running server;
  private BackupHttp http;
  private IamClient iam;

  @AfterEach
  void stop() {
    if (iam != null) {
      iam.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static String trust(String principal) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
        + principal
        + ",\"Action\":\"sts:AssumeRole\"}]}";
  }

  private static String allow(String actions, String resource) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
        + actions
        + ",\"Resource\":\""
        + resource
        + "\"}]}";
  }

  private void role(String name, String trustPolicy, String policy) {
    iam.createRole(r -> r.roleName(name).assumeRolePolicyDocument(trustPolicy));
    if (policy != null) {
      iam.putRolePolicy(p -> p.roleName(name).policyName("jobs").policyDocument(policy));
    }
  }

  private void start() throws Exception {
    server =
        Bootstrap.start(
            IamServerConfig.of(dir, ACCOUNT),
            ReplicationConfig.NONE,
            () -> System.currentTimeMillis() + offset.get());
    String[] admin = IamServerConfig.adminKey(dir.resolve("admin.credentials"));
    http = new BackupHttp(server.endpoint(), admin[0], admin[1]);
    iam =
        IamClient.builder()
            .endpointOverride(URI.create(server.endpoint()))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(admin[0], admin[1])))
            .httpClient(UrlConnectionHttpClient.create())
            .build();
    String service = "{\"Service\":\"backup.amazonaws.com\"}";
    role("good", trust(service), allow("[\"dynamodb:*\",\"backup:CopyIntoBackupVault\"]", "*"));
    // Trusts the account, not AWS Backup: the account's users may assume it, the service not.
    role(
        "untrusted", trust("{\"AWS\":\"arn:aws:iam::" + ACCOUNT + ":root\"}"), allow("\"*\"", "*"));
    role("weak", trust(service), allow("\"dynamodb:DescribeTable\"", "*"));
    http.table("orders", 10);
    http.ok("PUT", "/backup-vaults/daily", "{}");
    http.ok("PUT", "/backup-vaults/copies", "{}");
  }

  private JsonNode failedBackup(String role) throws Exception {
    JsonNode started = http.startBackup("daily", TABLE, ROLES + role, null);
    JsonNode job =
        http.await(
            "/backup-jobs/" + started.get("BackupJobId").asText(), "State", "COMPLETED", "FAILED");
    assertThat(job.get("State").asText()).as(job.toString()).isEqualTo("FAILED");
    return job;
  }

  /** AWS Backup's StatusMessage for a backup job whose role may not start it on the table. */
  private static String backupDenied(String role) {
    return "Access denied: Your backup job failed as AWS Backup does not have permission to"
        + " perform dynamodb:StartAwsBackupJob on resource "
        + TABLE
        + " with role "
        + ROLES
        + role
        + ". Please review your IAM policies to ensure AWS Backup can protect your resources.";
  }

  private String cannotAssume(String role) {
    return "The provided role " + ROLES + role + " cannot be assumed by AWS Backup.";
  }

  @Test
  void jobsRunOnlyUnderARoleThatTrustsBackupAndAllowsTheJob() throws Exception {
    start();
    // Backup jobs: no such role, a role AWS Backup may not assume, a role without the action.
    assertThat(failedBackup("missing").get("StatusMessage").asText())
        .isEqualTo(cannotAssume("missing"));
    assertThat(failedBackup("untrusted").get("StatusMessage").asText())
        .isEqualTo(cannotAssume("untrusted"));
    assertThat(failedBackup("weak").get("StatusMessage").asText()).isEqualTo(backupDenied("weak"));
    assertThat(http.ok("GET", "/backup-vaults/daily/recovery-points/", null).get("RecoveryPoints"))
        .isEmpty();
    String point = http.backedUp("daily", TABLE, ROLES + "good", null);

    // Restore jobs: refused under the weak role, no table made; done under the good one.
    String restore =
        "{\"RecoveryPointArn\":\""
            + point
            + "\",\"IamRoleArn\":\""
            + ROLES
            + "%s\",\"Metadata\":{\"targetTableName\":\"%s\"},\"ResourceType\":\"DynamoDB\"}";
    String weakJob =
        http.ok("PUT", "/restore-jobs", String.format(restore, "weak", "restored-weak"))
            .get("RestoreJobId")
            .asText();
    JsonNode weak = http.await("/restore-jobs/" + weakJob, "Status", "COMPLETED", "FAILED");
    assertThat(weak.get("Status").asText()).isEqualTo("FAILED");
    assertThat(weak.get("StatusMessage").asText())
        .isEqualTo(
            "Access denied: Your restore job failed as AWS Backup does not have permission to"
                + " perform dynamodb:RestoreTableFromAwsBackup on resource"
                + " arn:aws:dynamodb:us-east-1:"
                + ACCOUNT
                + ":table/restored-weak with role "
                + ROLES
                + "weak. Please review your IAM policies to ensure AWS Backup can protect your"
                + " resources.");
    try (DynamoDbClient ddb = http.dynamo()) {
      assertThat(catchThrowable(() -> ddb.describeTable(d -> d.tableName("restored-weak"))))
          .isInstanceOf(ResourceNotFoundException.class);
    }
    String goodJob =
        http.ok("PUT", "/restore-jobs", String.format(restore, "good", "restored"))
            .get("RestoreJobId")
            .asText();
    assertThat(
            http.await("/restore-jobs/" + goodJob, "Status", "COMPLETED", "FAILED")
                .get("Status")
                .asText())
        .isEqualTo("COMPLETED");

    // Copy jobs: refused under a role AWS Backup may not assume, nothing copied; done otherwise.
    String copy =
        "{\"RecoveryPointArn\":\""
            + point
            + "\",\"SourceBackupVaultName\":\"daily\",\"DestinationBackupVaultArn\":\""
            + VAULTS
            + "copies\",\"IamRoleArn\":\""
            + ROLES
            + "%s\"}";
    String badCopy =
        http.ok("PUT", "/copy-jobs", String.format(copy, "untrusted")).get("CopyJobId").asText();
    JsonNode bad = http.await("/copy-jobs/" + badCopy, "CopyJob.State", "COMPLETED", "FAILED");
    assertThat(bad.get("CopyJob").get("State").asText()).isEqualTo("FAILED");
    assertThat(bad.get("CopyJob").get("StatusMessage").asText())
        .isEqualTo(cannotAssume("untrusted"));
    assertThat(http.ok("GET", "/backup-vaults/copies/recovery-points/", null).get("RecoveryPoints"))
        .isEmpty();
    String goodCopy =
        http.ok("PUT", "/copy-jobs", String.format(copy, "good")).get("CopyJobId").asText();
    assertThat(
            http.await("/copy-jobs/" + goodCopy, "CopyJob.State", "COMPLETED", "FAILED")
                .get("CopyJob")
                .get("State")
                .asText())
        .isEqualTo("COMPLETED");
  }

  private static String tablePolicy(String effect, String role) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\""
        + effect
        + "\",\"Principal\":{\"AWS\":\""
        + ROLES
        + role
        + "\"},\"Action\":\"dynamodb:StartAwsBackupJob\",\"Resource\":\""
        + TABLE
        + "\"}]}";
  }

  // A table's resource-based policy takes part in a job role's decision as AWS evaluates identity
  // and resource policies together: a Deny of the role there fails the backup job however the
  // role's own policies allow it, and within the account an Allow there suffices for a role whose
  // own policies do not allow the job.
  @Test
  void aTablesResourcePolicyBindsTheJobsRole() throws Exception {
    start();
    try (DynamoDbClient ddb = http.dynamo()) {
      ddb.putResourcePolicy(r -> r.resourceArn(TABLE).policy(tablePolicy("Deny", "good")));
      assertThat(failedBackup("good").get("StatusMessage").asText())
          .isEqualTo(backupDenied("good"));
      assertThat(
              http.ok("GET", "/backup-vaults/daily/recovery-points/", null).get("RecoveryPoints"))
          .isEmpty();
      ddb.deleteResourcePolicy(r -> r.resourceArn(TABLE));
      http.backedUp("daily", TABLE, ROLES + "good", null);
      // "weak" may only describe the table; the table's policy allows it the rest.
      assertThat(failedBackup("weak").get("State").asText()).isEqualTo("FAILED");
      ddb.putResourcePolicy(r -> r.resourceArn(TABLE).policy(tablePolicy("Allow", "weak")));
      http.backedUp("daily", TABLE, ROLES + "weak", null);
    }
  }

  // A plan's scheduled run starts its job under the selection's IamRoleArn, which is checked too.
  @Test
  void aPlanRunUnderAnUntrustedRoleFails() throws Exception {
    start();
    http.ok("PUT", "/backup-vaults/plans", "{}");
    String planId =
        http.ok(
                "PUT",
                "/backup/plans/",
                "{\"BackupPlan\":{\"BackupPlanName\":\"hourly\",\"Rules\":[{\"RuleName\":\"h\","
                    + "\"TargetBackupVaultName\":\"plans\",\"ScheduleExpression\":"
                    + "\"cron(0 * ? * * *)\",\"StartWindowMinutes\":60}]}}")
            .get("BackupPlanId")
            .asText();
    http.ok(
        "PUT",
        "/backup/plans/" + planId + "/selections/",
        "{\"BackupSelection\":{\"SelectionName\":\"all\",\"IamRoleArn\":\""
            + ROLES
            + "untrusted\",\"Resources\":[\""
            + TABLE
            + "\"]}}");
    long now = System.currentTimeMillis() + offset.get();
    offset.addAndGet(3_600_000L - now % 3_600_000L + 60_000L);
    long deadline = System.currentTimeMillis() + 30_000;
    JsonNode jobs = http.ok("GET", "/backup-jobs/?backupVaultName=plans", null).get("BackupJobs");
    while ((jobs.isEmpty() || !jobs.get(0).get("State").asText().equals("FAILED"))
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
      jobs = http.ok("GET", "/backup-jobs/?backupVaultName=plans", null).get("BackupJobs");
    }
    assertThat(jobs).hasSize(1);
    assertThat(jobs.get(0).get("State").asText()).isEqualTo("FAILED");
    assertThat(jobs.get(0).get("StatusMessage").asText()).isEqualTo(cannotAssume("untrusted"));
    assertThat(jobs.get(0).get("CreatedBy").get("BackupPlanId").asText()).isEqualTo(planId);
  }
}
