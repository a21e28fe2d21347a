package dev.tidemark.awsbackup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.backup.store.BackupStoreSpec;
import dev.tidemark.cli.Bootstrap;
import dev.tidemark.cli.ServerConfig;
import dev.tidemark.replication.ReplicationConfig;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protects UpdateRecoveryPointLifecycle, the refusal to copy a COLD recovery point, and backup plan
 * tags, through a live server with a cold tier and an AWS Backup clock the test moves forward:
 * AWS's lifecycle rules and messages, the answer's shape (Lifecycle and CalculatedLifecycle), the
 * janitor following the new lifecycle (to COLD, then deleted), MoveToColdStorageAfterDays frozen
 * once COLD, vault locks in governance and compliance mode refusing a shorter or out-of-range
 * retention, and that every refused call leaves the point as it was.
 */
class RecoveryPointLifecycleIntegrationTest {
  private static final String ACCOUNT = "123456789012";
  private static final String TABLE_ARN = "arn:aws:dynamodb:us-east-1:" + ACCOUNT + ":table/";
  private static final String VAULT_ARN = "arn:aws:backup:us-east-1:" + ACCOUNT + ":backup-vault:";
  private static final String ROLE = "arn:aws:iam::" + ACCOUNT + ":role/backup";
  private static final long DAY = 86_400_000L;

  @TempDir Path dir;
  private final AtomicLong offset = new AtomicLong();
  private Bootstrap.Running server;
  private BackupHttp http;

  private void start() throws Exception {
    server =
        Bootstrap.start(
            new ServerConfig(
                "127.0.0.1",
                0,
                dir.resolve("data"),
                false,
                "us-east-1",
                ServerConfig.Durability.SYNC,
                ACCOUNT,
                new BackupStoreSpec.Directory(dir.resolve("backups")),
                null,
                Duration.ofSeconds(30),
                Duration.ofHours(24),
                null,
                false,
                null,
                null,
                null),
            ReplicationConfig.NONE,
            new BackupStoreSpec.Directory(dir.resolve("cold")),
            () -> System.currentTimeMillis() + offset.get());
    http = new BackupHttp(server.endpoint(), "AKIDEXAMPLE", "secret");
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static String path(String vault, String point) {
    return "/backup-vaults/" + vault + "/recovery-points/" + BackupHttp.enc(point);
  }

  private JsonNode describe(String vault, String point) throws Exception {
    return http.ok("GET", path(vault, point), null);
  }

  private void refusedUpdate(String vault, String point, String body, String type, String message)
      throws Exception {
    JsonNode before = describe(vault, point);
    http.refused("POST", path(vault, point), body, type, message);
    assertThat(describe(vault, point)).as("unchanged after a refusal").isEqualTo(before);
  }

  private static String lifecycle(String fields) {
    return "{\"Lifecycle\":{" + fields + "}}";
  }

  // AWS's lifecycle rules and wording; the answer; the janitor moving the point to COLD and
  // deleting it on the new lifecycle; cold days frozen once COLD; no copy of a COLD point.
  @Test
  void theNewLifecycleIsValidatedAnsweredAndFollowedByTheJanitor() throws Exception {
    start();
    http.table("orders", 20);
    http.ok("PUT", "/backup-vaults/daily", "{}");
    http.ok("PUT", "/backup-vaults/copies", "{}");
    String point = http.backedUp("daily", TABLE_ARN + "orders", ROLE, "{\"DeleteAfterDays\":400}");

    refusedUpdate(
        "daily",
        point,
        lifecycle("\"MoveToColdStorageAfterDays\":10,\"DeleteAfterDays\":50"),
        "InvalidParameterValueException",
        "Invalid lifecycle. DeleteAfterDays cannot be less than 90 days apart from"
            + " MoveToColdStorageAfterDays");
    refusedUpdate(
        "daily",
        point,
        lifecycle("\"DeleteAfterDays\":36501"),
        "InvalidParameterValueException",
        "Invalid lifecycle. DeleteAfterDays cannot be less than 1 or more than 36500 days");
    http.refused(
        "POST",
        path("nowhere", point),
        lifecycle("\"DeleteAfterDays\":100"),
        "ResourceNotFoundException",
        "Backup vault nowhere does not exist.");
    http.refused(
        "POST",
        path("copies", point),
        lifecycle("\"DeleteAfterDays\":100"),
        "ResourceNotFoundException",
        "Recovery point " + point + " does not exist in backup vault copies.");

    JsonNode updated =
        http.ok(
            "POST",
            path("daily", point),
            lifecycle("\"MoveToColdStorageAfterDays\":1,\"DeleteAfterDays\":95"));
    JsonNode rp = describe("daily", point);
    BigDecimal created = rp.get("CreationDate").decimalValue();
    assertThat(updated.get("BackupVaultArn").asText()).isEqualTo(VAULT_ARN + "daily");
    assertThat(updated.get("RecoveryPointArn").asText()).isEqualTo(point);
    assertThat(updated.get("Lifecycle").get("MoveToColdStorageAfterDays").asInt()).isEqualTo(1);
    assertThat(updated.get("Lifecycle").get("DeleteAfterDays").asInt()).isEqualTo(95);
    assertThat(updated.get("CalculatedLifecycle").get("MoveToColdStorageAt").decimalValue())
        .isEqualByComparingTo(created.add(BigDecimal.valueOf(86_400)));
    assertThat(updated.get("CalculatedLifecycle").get("DeleteAt").decimalValue())
        .isEqualByComparingTo(created.add(BigDecimal.valueOf(95 * 86_400)));
    assertThat(rp.get("Lifecycle")).isEqualTo(updated.get("Lifecycle"));
    assertThat(rp.get("CalculatedLifecycle")).isEqualTo(updated.get("CalculatedLifecycle"));

    // Two days on, the janitor moves it to cold storage on the new lifecycle.
    offset.addAndGet(2 * DAY);
    assertThat(
            http.await(path("daily", point), "StorageClass", "COLD").get("StorageClass").asText())
        .isEqualTo("COLD");
    refusedUpdate(
        "daily",
        point,
        lifecycle("\"MoveToColdStorageAfterDays\":2,\"DeleteAfterDays\":95"),
        "InvalidRequestException",
        "Invalid lifecycle. MoveToColdStorageAfterDays cannot be changed after the recovery"
            + " point has been transitioned to cold storage.");
    // AWS does not copy backups in cold storage: refused at once, and no job is recorded.
    http.refused(
        "PUT",
        "/copy-jobs",
        "{\"RecoveryPointArn\":\""
            + point
            + "\",\"SourceBackupVaultName\":\"daily\",\"DestinationBackupVaultArn\":\""
            + VAULT_ARN
            + "copies\",\"IamRoleArn\":\""
            + ROLE
            + "\"}",
        "InvalidRequestException",
        "Recovery point "
            + point
            + " is in cold storage (StorageClass COLD): recovery points in cold storage cannot be"
            + " copied.");
    assertThat(http.ok("GET", "/copy-jobs/", null).get("CopyJobs")).isEmpty();
    assertThat(http.ok("GET", "/backup-vaults/copies/recovery-points/", null).get("RecoveryPoints"))
        .isEmpty();

    // Retention may change while COLD; at the new DeleteAfterDays the janitor deletes it.
    http.ok(
        "POST",
        path("daily", point),
        lifecycle("\"MoveToColdStorageAfterDays\":1,\"DeleteAfterDays\":91"));
    offset.addAndGet(90 * DAY);
    long deadline = System.currentTimeMillis() + 30_000;
    while (http.call("GET", path("daily", point), null).status() == 200
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    http.refused(
        "GET",
        path("daily", point),
        null,
        "ResourceNotFoundException",
        "Recovery point " + point + " does not exist.");
  }

  // -1 for both removes the lifecycle (the model's Lifecycle doc): kept until deleted by hand.
  @Test
  void minusOneKeepsThePointIndefinitely() throws Exception {
    start();
    http.table("orders", 5);
    http.ok("PUT", "/backup-vaults/daily", "{}");
    String point = http.backedUp("daily", TABLE_ARN + "orders", ROLE, "{\"DeleteAfterDays\":30}");
    JsonNode updated =
        http.ok(
            "POST",
            path("daily", point),
            lifecycle("\"MoveToColdStorageAfterDays\":-1,\"DeleteAfterDays\":-1"));
    assertThat(updated.get("Lifecycle").size()).isZero();
    assertThat(updated.get("CalculatedLifecycle").size()).isZero();
    offset.addAndGet(31 * DAY);
    Thread.sleep(1_500);
    assertThat(describe("daily", point).get("Status").asText()).isEqualTo("COMPLETED");
  }

  // A lock (governance, then compliance past its lock date) refuses retentions outside
  // MinRetentionDays..MaxRetentionDays and any shortening; lengthening within range is allowed;
  // removing a governance lock lifts the refusal, a compliance lock cannot be removed.
  @Test
  void aLockedVaultRefusesShorterOrOutOfRangeRetention() throws Exception {
    start();
    http.table("orders", 5);
    http.ok("PUT", "/backup-vaults/locked", "{}");
    String point = http.backedUp("locked", TABLE_ARN + "orders", ROLE, "{\"DeleteAfterDays\":30}");
    http.ok(
        "PUT",
        "/backup-vaults/locked/vault-lock",
        "{\"MinRetentionDays\":20,\"MaxRetentionDays\":60}");
    String range =
        "outside the range backup vault locked's lock allows (20 days minimum, 60 days"
            + " maximum).";
    refusedUpdate(
        "locked",
        point,
        lifecycle("\"DeleteAfterDays\":10"),
        "InvalidRequestException",
        "The recovery point's retention (10 days) is " + range);
    refusedUpdate(
        "locked",
        point,
        lifecycle("\"DeleteAfterDays\":70"),
        "InvalidRequestException",
        "The recovery point's retention (70 days) is " + range);
    refusedUpdate(
        "locked",
        point,
        "{}",
        "InvalidRequestException",
        "The recovery point's retention (always) is " + range);
    refusedUpdate(
        "locked",
        point,
        lifecycle("\"DeleteAfterDays\":25"),
        "InvalidRequestException",
        "Recovery point "
            + point
            + " is in locked backup vault locked: its retention cannot be shortened (it is 30"
            + " days, 25 days was requested).");
    http.ok("POST", path("locked", point), lifecycle("\"DeleteAfterDays\":45"));

    // Governance mode: whoever may remove the lock may then shorten.
    http.ok("DELETE", "/backup-vaults/locked/vault-lock", null);
    http.ok("POST", path("locked", point), lifecycle("\"DeleteAfterDays\":35"));

    // Compliance mode, past its lock date: no one can shorten, nor remove the lock.
    http.ok(
        "PUT",
        "/backup-vaults/locked/vault-lock",
        "{\"MinRetentionDays\":20,\"MaxRetentionDays\":60,\"ChangeableForDays\":3}");
    offset.addAndGet(4 * DAY);
    refusedUpdate(
        "locked",
        point,
        lifecycle("\"DeleteAfterDays\":34"),
        "InvalidRequestException",
        "Recovery point "
            + point
            + " is in locked backup vault locked: its retention cannot be shortened (it is 35"
            + " days, 34 days was requested).");
    http.refused(
        "DELETE",
        "/backup-vaults/locked/vault-lock",
        null,
        "InvalidRequestException",
        "Vault Lock configuration of backup vault locked is immutable: its lock date has passed.");
    JsonNode longer = http.ok("POST", path("locked", point), lifecycle("\"DeleteAfterDays\":50"));
    assertThat(longer.get("Lifecycle").get("DeleteAfterDays").asInt()).isEqualTo(50);
    assertThat(describe("locked", point).get("Lifecycle").get("DeleteAfterDays").asInt())
        .isEqualTo(50);
  }

  // BackupPlanTags at CreateBackupPlan, then Tag/Untag/ListTags on the plan's ARN, across a
  // restart; a retried create keeps the first tags; a deleted or unknown plan is not found; vault
  // tags keep working beside them.
  @Test
  void backupPlanTags() throws Exception {
    start();
    String create =
        "{\"BackupPlan\":{\"BackupPlanName\":\"daily\",\"Rules\":[{\"RuleName\":\"r\","
            + "\"TargetBackupVaultName\":\"Default\"}]},\"BackupPlanTags\":%s,"
            + "\"CreatorRequestId\":\"plan-1\"}";
    JsonNode plan =
        http.ok(
            "PUT", "/backup/plans/", String.format(create, "{\"team\":\"db\",\"env\":\"prod\"}"));
    String arn = plan.get("BackupPlanArn").asText();
    String tags = "/tags/" + BackupHttp.enc(arn) + "/";
    assertThat(http.ok("GET", tags, null).get("Tags"))
        .isEqualTo(BackupHttp.JSON.readTree("{\"env\":\"prod\",\"team\":\"db\"}"));
    // The SDKs resend their CreatorRequestId on a retry: the same plan, its tags untouched.
    assertThat(
            http.ok("PUT", "/backup/plans/", String.format(create, "{\"other\":\"x\"}"))
                .get("BackupPlanId"))
        .isEqualTo(plan.get("BackupPlanId"));
    http.ok("POST", "/tags/" + BackupHttp.enc(arn), "{\"Tags\":{\"cost\":\"42\"}}");
    http.ok("POST", "/untag/" + BackupHttp.enc(arn), "{\"TagKeyList\":[\"env\"]}");
    http.ok("POST", "/tags/" + BackupHttp.enc(VAULT_ARN + "Default"), "{\"Tags\":{\"v\":\"1\"}}");

    server.close();
    start();
    assertThat(http.ok("GET", tags, null).get("Tags"))
        .isEqualTo(BackupHttp.JSON.readTree("{\"cost\":\"42\",\"team\":\"db\"}"));
    assertThat(
            http.ok("GET", "/tags/" + BackupHttp.enc(VAULT_ARN + "Default") + "/", null)
                .get("Tags"))
        .isEqualTo(BackupHttp.JSON.readTree("{\"v\":\"1\"}"));
    String unknown = "arn:aws:backup:us-east-1:" + ACCOUNT + ":backup-plan:no-such-plan";
    http.refused(
        "GET",
        "/tags/" + BackupHttp.enc(unknown) + "/",
        null,
        "ResourceNotFoundException",
        "Resource " + unknown + " does not exist.");
    http.ok("DELETE", "/backup/plans/" + plan.get("BackupPlanId").asText(), null);
    http.refused(
        "POST",
        "/tags/" + BackupHttp.enc(arn),
        "{\"Tags\":{\"late\":\"1\"}}",
        "ResourceNotFoundException",
        "Resource " + arn + " does not exist.");
  }
}
