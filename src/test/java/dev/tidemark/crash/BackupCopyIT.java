package dev.tidemark.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.auth.SignedHttp;
import dev.tidemark.managed.BackupClock;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Copies of recovery points between three server processes standing for three regions (small heaps,
 * requests signed with SigV4 as AWS Backup clients sign them): us-east-1 and eu-west-1 in one
 * account, ap-south-1 in another. Protects: a plan rule's CopyAction copying the rule's point to
 * the other region's vault once its backup job completes (the source's creation date kept, the
 * destination lifecycle applied, SourceBackupVaultArn set), a restore from the copy in the
 * destination region holding every item of the source table; a cross-account copy refused without
 * the destination vault's access policy and allowed with it (Put/Get/DeleteBackupVaultAccessPolicy
 * with AWS's answers); and kill -9 of the source or the destination during a copy: the job is never
 * lost, resumes after the restart and completes with exactly one verified, restorable point.
 */
class BackupCopyIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> JVM = List.of("-Xmx160m", "-XX:+UseSerialGC");
  private static final String ACCOUNT = "111111111111";
  private static final String OTHER_ACCOUNT = "222222222222";
  private static final String[] REGIONS = {"us-east-1", "eu-west-1", "ap-south-1"};
  private static final String[] ACCOUNTS = {ACCOUNT, ACCOUNT, OTHER_ACCOUNT};
  private static final String ROLE = "arn:aws:iam::" + ACCOUNT + ":role/backup";
  private static final String TABLE_ARN = "arn:aws:dynamodb:us-east-1:" + ACCOUNT + ":table/orders";

  @TempDir Path dir;
  private final int[] ports = new int[3];
  private final ServerProcess[] servers = new ServerProcess[3];
  private long clockOffset;

  @AfterEach
  void stop() {
    for (ServerProcess s : servers) {
      if (s != null) {
        s.close();
      }
    }
  }

  private void start(int i) throws Exception {
    List<String> args = new ArrayList<>();
    args.addAll(List.of("--region", REGIONS[i], "--account", ACCOUNTS[i]));
    args.addAll(List.of("--durability", "sync"));
    args.addAll(List.of("--replication-secret-file", dir.resolve("secret").toString()));
    for (int j = 0; j < 3; j++) {
      if (j != i) {
        args.addAll(List.of("--peer", REGIONS[j] + "=http://127.0.0.1:" + ports[j]));
      }
    }
    List<String> jvm = new ArrayList<>(JVM);
    if (i == 0) {
      jvm.add("-D" + BackupClock.OFFSET + "=" + clockOffset);
    }
    Path home = dir.resolve(REGIONS[i]);
    Files.createDirectories(home);
    servers[i] =
        ServerProcess.start(
            jvm,
            home.resolve("data"),
            home.resolve("server.log"),
            ports[i],
            args.toArray(String[]::new));
  }

  private SignedHttp.RestAnswer call(int i, String method, String path, String body)
      throws Exception {
    return CopyFixtures.call(ports[i], method, path, body);
  }

  private JsonNode ok(int i, String method, String path, String body) throws Exception {
    return CopyFixtures.ok(ports[i], REGIONS[i], method, path, body);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String vaultArn(int i, String name) {
    return "arn:aws:backup:" + REGIONS[i] + ":" + ACCOUNTS[i] + ":backup-vault:" + name;
  }

  /** Waits for a copy job to reach COMPLETED or FAILED; the job as last described. */
  private JsonNode awaitCopy(String id) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      JsonNode j = ok(0, "GET", "/copy-jobs/" + id, null).get("CopyJob");
      String state = j.get("State").asText();
      if (state.equals("COMPLETED")
          || state.equals("FAILED")
          || System.currentTimeMillis() > deadline) {
        return j;
      }
      Thread.sleep(50);
    }
  }

  /** Waits (briefly) until the job is RUNNING, so that a kill lands during its transfer. */
  private String awaitRunning(String id) throws Exception {
    String state = "";
    for (int n = 0; n < 400 && !state.equals("RUNNING") && !state.equals("COMPLETED"); n++) {
      state = ok(0, "GET", "/copy-jobs/" + id, null).get("CopyJob").get("State").asText();
    }
    return state;
  }

  private JsonNode points(int i, String vault) throws Exception {
    return ok(i, "GET", "/backup-vaults/" + vault + "/recovery-points/", null)
        .get("RecoveryPoints");
  }

  private String startCopy(String point, String destination) throws Exception {
    return ok(
            0,
            "PUT",
            "/copy-jobs",
            "{\"RecoveryPointArn\":\""
                + point
                + "\",\"SourceBackupVaultName\":\"Default\",\"DestinationBackupVaultArn\":\""
                + destination
                + "\",\"IamRoleArn\":\""
                + ROLE
                + "\"}")
        .get("CopyJobId")
        .asText();
  }

  /** Restores {@code point} in region {@code i} into {@code table} and returns its items. */
  private Map<String, Map<String, AttributeValue>> restore(int i, String point, String table)
      throws Exception {
    String id =
        ok(
                i,
                "PUT",
                "/restore-jobs",
                "{\"RecoveryPointArn\":\""
                    + point
                    + "\",\"IamRoleArn\":\""
                    + ROLE
                    + "\",\"Metadata\":{\"targetTableName\":\""
                    + table
                    + "\"}}")
            .get("RestoreJobId")
            .asText();
    long deadline = System.currentTimeMillis() + 60_000;
    JsonNode j;
    do {
      Thread.sleep(50);
      j = ok(i, "GET", "/restore-jobs/" + id, null);
    } while (!j.get("Status").asText().matches("COMPLETED|FAILED")
        && System.currentTimeMillis() < deadline);
    assertThat(j.get("Status").asText()).as(j.toString()).isEqualTo("COMPLETED");
    return CopyFixtures.scan(servers[i].client(), table);
  }

  @Test
  void copiesAcrossRegionsAndAccountsSurviveKillNine() throws Exception {
    Files.writeString(dir.resolve("secret"), "copy-test-shared-secret-0123456789");
    for (int i = 0; i < 3; i++) {
      ports[i] = ServerProcess.freePort();
    }
    start(1);
    start(2);
    // us-east-1's AWS Backup clock is shifted so that it is 35 s into a minute as it starts: the
    // plan made a few seconds later runs daily at the next minute, some 10 to 20 s after.
    long now = System.currentTimeMillis();
    clockOffset = (now / 60_000) * 60_000 + 35_000 - now;
    start(0);
    DynamoDbClient source = servers[0].client();
    ServerProcess.createTable(source, "orders");
    // About 3 MB in 1500 items, so that the copy has several objects and chunks.
    Map<String, Map<String, AttributeValue>> items = CopyFixtures.fill(source, "orders", 1500);
    ok(1, "PUT", "/backup-vaults/dr", "{}");
    ok(2, "PUT", "/backup-vaults/xacct", "{}");

    // A plan whose rule copies its point to eu-west-1, with a longer lifecycle there.
    ZonedDateTime serverNow =
        Instant.ofEpochMilli(System.currentTimeMillis() + clockOffset).atZone(ZoneOffset.UTC);
    ZonedDateTime run = serverNow.plusSeconds(3).plusMinutes(1).withSecond(0).withNano(0);
    String cron = "cron(" + run.getMinute() + " " + run.getHour() + " ? * * *)";
    String planId =
        ok(
                0,
                "PUT",
                "/backup/plans/",
                "{\"BackupPlan\":{\"BackupPlanName\":\"dr\",\"Rules\":[{\"RuleName\":\"daily\","
                    + "\"TargetBackupVaultName\":\"Default\",\"ScheduleExpression\":\""
                    + cron
                    + "\",\"StartWindowMinutes\":60,\"Lifecycle\":{\"DeleteAfterDays\":35},"
                    + "\"CopyActions\":[{\"DestinationBackupVaultArn\":\""
                    + vaultArn(1, "dr")
                    + "\",\"Lifecycle\":{\"DeleteAfterDays\":90}}]}]}}")
            .get("BackupPlanId")
            .asText();
    JsonNode rule =
        ok(0, "GET", "/backup/plans/" + planId + "/", null).get("BackupPlan").get("Rules").get(0);
    assertThat(rule.get("CopyActions").get(0).get("DestinationBackupVaultArn").asText())
        .isEqualTo(vaultArn(1, "dr"));
    ok(
        0,
        "PUT",
        "/backup/plans/" + planId + "/selections/",
        "{\"BackupSelection\":{\"SelectionName\":\"orders\",\"IamRoleArn\":\""
            + ROLE
            + "\",\"Resources\":[\""
            + TABLE_ARN
            + "\"]}}");

    // The run happens, its backup job completes, and the copy job follows.
    JsonNode copy = null;
    long deadline = System.currentTimeMillis() + 90_000;
    while (copy == null && System.currentTimeMillis() < deadline) {
      JsonNode jobs = ok(0, "GET", "/copy-jobs/", null).get("CopyJobs");
      if (jobs.size() > 0 && jobs.get(0).get("State").asText().matches("COMPLETED|FAILED")) {
        copy = jobs.get(0);
      }
      Thread.sleep(100);
    }
    assertThat(copy).as("a copy job by " + cron).isNotNull();
    assertThat(copy.get("State").asText()).as(copy.toString()).isEqualTo("COMPLETED");
    assertThat(copy.get("CreatedBy").get("BackupPlanId").asText()).isEqualTo(planId);
    assertThat(copy.get("DestinationBackupVaultArn").asText()).isEqualTo(vaultArn(1, "dr"));
    JsonNode sourcePoint = points(0, "Default").get(0);
    assertThat(copy.get("SourceRecoveryPointArn").asText())
        .isEqualTo(sourcePoint.get("RecoveryPointArn").asText());
    assertThat(copy.get("CreatedByBackupJobId").asText())
        .isEqualTo(
            ok(0, "GET", "/backup-jobs/", null)
                .get("BackupJobs")
                .get(0)
                .get("BackupJobId")
                .asText());
    // Listing by filters, as AWS filters.
    assertThat(
            ok(
                    0,
                    "GET",
                    "/copy-jobs/?destinationVaultArn="
                        + enc(vaultArn(1, "dr"))
                        + "&state=COMPLETED",
                    null)
                .get("CopyJobs"))
        .hasSize(1);
    assertThat(ok(0, "GET", "/copy-jobs/?state=FAILED", null).get("CopyJobs")).isEmpty();

    // The point is in both regions' vaults; the copy keeps the creation date, has its lifecycle.
    JsonNode copied = points(1, "dr");
    assertThat(copied).hasSize(1);
    JsonNode dest = copied.get(0);
    assertThat(dest.get("RecoveryPointArn").asText())
        .isEqualTo(copy.get("DestinationRecoveryPointArn").asText())
        .startsWith("arn:aws:backup:eu-west-1:" + ACCOUNT + ":recovery-point:");
    assertThat(dest.get("Status").asText()).isEqualTo("COMPLETED");
    assertThat(dest.get("SourceBackupVaultArn").asText()).isEqualTo(vaultArn(0, "Default"));
    assertThat(dest.get("CreationDate").decimalValue())
        .isEqualByComparingTo(sourcePoint.get("CreationDate").decimalValue());
    assertThat(dest.get("Lifecycle").get("DeleteAfterDays").asInt()).isEqualTo(90);
    assertThat(dest.get("CalculatedLifecycle").get("DeleteAt").decimalValue())
        .isEqualByComparingTo(
            sourcePoint
                .get("CreationDate")
                .decimalValue()
                .add(java.math.BigDecimal.valueOf(90L * 86400)));
    assertThat(sourcePoint.get("Lifecycle").get("DeleteAfterDays").asInt()).isEqualTo(35);
    // Restored in eu-west-1 from the copy: every item, byte for byte.
    assertThat(restore(1, dest.get("RecoveryPointArn").asText(), "orders-from-copy"))
        .isEqualTo(items);
    String point = sourcePoint.get("RecoveryPointArn").asText();

    // Cross-account: refused without the destination vault's policy, then allowed by it.
    SignedHttp.RestAnswer none = call(2, "GET", "/backup-vaults/xacct/access-policy", null);
    assertThat(none.errorType()).isEqualTo("ResourceNotFoundException");
    assertThat(JSON.readTree(none.body()).get("Message").asText())
        .isEqualTo("Backup Vault " + vaultArn(2, "xacct") + " has no associated POLICY");
    JsonNode refused = awaitCopy(startCopy(point, vaultArn(2, "xacct")));
    assertThat(refused.get("State").asText()).isEqualTo("FAILED");
    assertThat(refused.get("StatusMessage").asText())
        .contains(
            "account " + ACCOUNT + " is not authorized to perform backup:CopyIntoBackupVault");
    assertThat(refused.get("MessageCategory").asText()).isEqualTo("ACCESS_DENIED");
    assertThat(points(2, "xacct")).isEmpty();
    SignedHttp.RestAnswer malformed =
        call(2, "PUT", "/backup-vaults/xacct/access-policy", "{\"Policy\":\"{not json\"}");
    assertThat(malformed.errorType()).isEqualTo("InvalidParameterValueException");
    String policy =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
            + "\"arn:aws:iam::"
            + ACCOUNT
            + ":root\"},\"Action\":\"backup:CopyIntoBackupVault\",\"Resource\":\"*\"}]}";
    ok(
        2,
        "PUT",
        "/backup-vaults/xacct/access-policy",
        JSON.createObjectNode().put("Policy", policy).toString());
    JsonNode got = ok(2, "GET", "/backup-vaults/xacct/access-policy", null);
    assertThat(got.get("Policy").asText()).isEqualTo(policy);
    assertThat(got.get("BackupVaultArn").asText()).isEqualTo(vaultArn(2, "xacct"));
    JsonNode allowed = awaitCopy(startCopy(point, vaultArn(2, "xacct")));
    assertThat(allowed.get("State").asText()).as(allowed.toString()).isEqualTo("COMPLETED");
    assertThat(points(2, "xacct")).hasSize(1);
    ok(2, "DELETE", "/backup-vaults/xacct/access-policy", null);
    assertThat(call(2, "GET", "/backup-vaults/xacct/access-policy", null).errorType())
        .isEqualTo("ResourceNotFoundException");

    // kill -9 of the source during a copy: the job resumes after the restart.
    ok(1, "PUT", "/backup-vaults/dr2", "{}");
    String killedSource = startCopy(point, vaultArn(1, "dr2"));
    String seen = awaitRunning(killedSource);
    servers[0].kill();
    start(0);
    JsonNode resumed = awaitCopy(killedSource);
    assertThat(resumed.get("State").asText()).as(resumed.toString()).isEqualTo("COMPLETED");
    // kill -9 of the destination during a copy: the source retries until it is back.
    ok(1, "PUT", "/backup-vaults/dr3", "{}");
    String killedDestination = startCopy(point, vaultArn(1, "dr3"));
    String seenByDestination = awaitRunning(killedDestination);
    servers[1].kill();
    start(1);
    JsonNode retried = awaitCopy(killedDestination);
    assertThat(retried.get("State").asText()).as(retried.toString()).isEqualTo("COMPLETED");
    for (String vault : List.of("dr", "dr2", "dr3")) {
      JsonNode in = points(1, vault);
      assertThat(in).as(vault).hasSize(1);
      assertThat(in.get(0).get("Status").asText()).isEqualTo("COMPLETED");
    }
    assertThat(restore(1, points(1, "dr3").get(0).get("RecoveryPointArn").asText(), "orders-dr3"))
        .isEqualTo(items);
    assertThat(ok(0, "GET", "/copy-jobs/", null).get("CopyJobs"))
        .extracting(j -> j.get("State").asText())
        .containsExactly("COMPLETED", "FAILED", "COMPLETED", "COMPLETED", "COMPLETED");
    System.out.println(
        "BackupCopyIT: source killed with its copy job "
            + seen
            + ", destination with "
            + seenByDestination);
  }
}
