package dev.tidemark.console;

import static dev.tidemark.console.ConsoleBrowser.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.auth.SignedHttp;
import dev.tidemark.cli.Bootstrap;
import dev.tidemark.testkit.IamServerConfig;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.support.ui.Select;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.Tag;

/**
 * Protects the console's pages beyond tables and backups in a real browser, against two live
 * servers peered as us-east-1 and eu-west-1 with real data: a table's Replicas tab (a replica
 * created and deleted through the page, its status, the lag of writes from the other region and the
 * charts sampled over time), AWS Backup's vaults (recovery points with their storage class, Vault
 * Lock), backup plans (rules, selections), jobs (backup and restore, filtered by state), restore
 * testing (a test run by its plan, its measured RTO in the table and the chart), and the audit
 * trail (events filtered by action, table and time), and throughput and latency drawn from the
 * server's /metrics. Each page passes the accessibility basics and the narrow pages fit a phone;
 * screenshots go to {@code target/console-screenshots/}.
 */
class ConsolePagesBrowserIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TABLE_ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/Orders";
  private static final String ROLE = "arn:aws:iam::000000000000:role/backup";

  private static final AtomicLong offset = new AtomicLong();
  private static Path dir;
  private static PeeredServers servers;
  private static DynamoDbClient east;
  private static DynamoDbClient west;

  @BeforeAll
  static void start() throws Exception {
    assumeInstalled();
    dir = Files.createTempDirectory("consolepages-ui");
    servers = new PeeredServers(dir, () -> System.currentTimeMillis() + offset.get());
    east = PeeredServers.client(servers.east.endpoint(), PeeredServers.EAST);
    west = PeeredServers.client(servers.west.endpoint(), PeeredServers.WEST);
    ConsoleBrowser.start(servers.east.endpoint());
  }

  @AfterAll
  static void stop() {
    ConsoleBrowser.stop();
    for (AutoCloseable c : new AutoCloseable[] {east, west, servers}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static JsonNode backup(String method, String path, String body) throws Exception {
    SignedHttp.RestAnswer a =
        SignedHttp.rest(servers.east.endpoint(), "test", "test", method, path, body);
    assertThat(a.status()).as(method + " " + path + ": " + a.body()).isBetween(200, 204);
    return a.body().isEmpty() ? null : JSON.readTree(a.body());
  }

  private static JsonNode await(String path, String list, Predicate<JsonNode> done)
      throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      for (JsonNode j : backup("GET", path, null).path(list)) {
        if (done.test(j)) {
          return j;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("not done in time: " + path);
  }

  /** Moves the first server's AWS Backup clock to one minute past the next 03:00 UTC. */
  private static void moveToNextRun() {
    offset.addAndGet(
        dev.tidemark.testkit.ScheduledRun.untilNext0301(System.currentTimeMillis() + offset.get()));
  }

  @Test
  void replicasAwsBackupAndTheAuditTrailAreShownFromTheRealServer() throws Exception {
    ConsoleApiIntegrationTest.table(east, "Orders");
    east.tagResource(
        r -> r.resourceArn(TABLE_ARN).tags(Tag.builder().key("restore-test").value("yes").build()));
    for (String pk : new String[] {"o1", "o2", "o3"}) {
      ConsoleApiIntegrationTest.put(east, "Orders", pk, "v");
    }

    // ---- Replicas: none yet; one created from the page, its state and lag; then deleted.
    open("#/table/Orders/replicas");
    waitForText("#no-replicas", "No replicas");
    new Select(waitFor("#replica-region")).selectByValue("eu-west-1");
    checkAccessible("replicas, none");
    waitFor("#replica-create-submit").click();
    waitForText("#replicas-table", "ACTIVE");
    for (String pk : new String[] {"w1", "w2", "w3"}) {
      ConsoleApiIntegrationTest.put(west, "Orders", pk, "from-west");
    }
    // The next samples show the writes eu-west-1 sent here, and the charts have points.
    waitForText("#replicas-table", "records)");
    assertThat(text("#replicas-table")).contains("eu-west-1").contains("reachable");
    assertThat(samples("#replication-lag-chart")).isPositive();
    assertThat(browser.findElements(By.cssSelector("#replication-lag-chart canvas"))).isNotEmpty();
    assertThat(
            browser
                .findElement(By.cssSelector("#replication-pending-chart figcaption"))
                .getAttribute("textContent"))
        .contains("Latest: to eu-west-1");
    checkAccessible("replicas");
    shot("20-replicas");
    waitFor("button[aria-label='Delete replica eu-west-1']").click();
    type("#confirm-name", "eu-west-1");
    waitFor("#confirm-ok").click();
    waitFor("#no-replicas");
    assertThat(east.describeTable(r -> r.tableName("Orders")).table().replicas()).isEmpty();

    // ---- AWS Backup data: an on-demand job into Default, a locked vault, a plan, a restore test.
    String jobId =
        backup(
                "PUT",
                "/backup-jobs",
                "{\"BackupVaultName\":\"Default\",\"ResourceArn\":\""
                    + TABLE_ARN
                    + "\",\"IamRoleArn\":\""
                    + ROLE
                    + "\"}")
            .get("BackupJobId")
            .asText();
    await("/backup-jobs/", "BackupJobs", j -> j.get("State").asText().equals("COMPLETED"));
    backup("PUT", "/backup-vaults/Locked", "{}");
    backup(
        "PUT",
        "/backup-vaults/Locked/vault-lock",
        "{\"MinRetentionDays\":1,\"MaxRetentionDays\":30}");
    String planId =
        backup(
                "PUT",
                "/backup/plans/",
                "{\"BackupPlan\":{\"BackupPlanName\":\"daily\",\"Rules\":[{\"RuleName\":\"nightly\","
                    + "\"TargetBackupVaultName\":\"Default\",\"ScheduleExpression\":"
                    + "\"cron(0 5 ? * * *)\",\"Lifecycle\":{\"DeleteAfterDays\":35}}]}}")
            .get("BackupPlanId")
            .asText();
    backup(
        "PUT",
        "/backup/plans/" + planId + "/selections/",
        "{\"BackupSelection\":{\"SelectionName\":\"orders\",\"IamRoleArn\":\""
            + ROLE
            + "\",\"Resources\":[\""
            + TABLE_ARN
            + "\"]}}");
    backup(
        "PUT",
        "/restore-testing/plans",
        "{\"RestoreTestingPlan\":{\"RestoreTestingPlanName\":\"weekly\",\"ScheduleExpression\":"
            + "\"cron(0 3 ? * * *)\",\"RecoveryPointSelection\":{\"Algorithm\":"
            + "\"LATEST_WITHIN_WINDOW\",\"IncludeVaults\":[\"*\"],\"RecoveryPointTypes\":"
            + "[\"SNAPSHOT\"],\"SelectionWindowDays\":7}}}");
    backup(
        "PUT",
        "/restore-testing/plans/weekly/selections",
        "{\"RestoreTestingSelection\":{\"RestoreTestingSelectionName\":\"orders\","
            + "\"ProtectedResourceType\":\"DynamoDB\",\"IamRoleArn\":\""
            + ROLE
            + "\",\"ProtectedResourceArns\":[\"*\"],\"ProtectedResourceConditions\":"
            + "{\"StringEquals\":[{\"Key\":\"aws:ResourceTag/restore-test\",\"Value\":\"yes\"}]},"
            + "\"ValidationWindowHours\":1}}");
    moveToNextRun();
    JsonNode test =
        await(
            "/restore-jobs/",
            "RestoreJobs",
            j -> j.path("CreatedBy").has("RestoreTestingPlanArn") && j.has("CompletionDate"));
    BigDecimal rto =
        test.get("CompletionDate").decimalValue().subtract(test.get("CreationDate").decimalValue());

    // ---- Vaults: the lock state; a vault's recovery points with their storage class.
    open("#/vaults");
    waitForText("#vaults", "Default");
    assertThat(text("#vaults")).contains("Locked, governance mode (retention 1 to 30 days)");
    checkAccessible("vaults");
    shot("21-vaults");
    browser.findElement(By.linkText("Default")).click();
    waitForText("#recovery-points", "Orders");
    assertThat(text("#recovery-points")).contains("COMPLETED").contains("WARM");
    assertThat(text("#vault-lock")).isEqualTo("Not locked");
    checkAccessible("vault");
    shot("22-vault");

    // ---- Plans: rules and resource assignments.
    open("#/plans");
    waitForText("#plans", "daily");
    checkAccessible("plans");
    browser.findElement(By.linkText("daily")).click();
    waitForText("#plan-rules", "nightly");
    assertThat(text("#plan-rules"))
        .contains("Default")
        .contains("cron(0 5 ? * * *)")
        .contains("deleted after 35 d");
    assertThat(text("#plan-selections")).contains("orders").contains(TABLE_ARN);
    checkAccessible("plan");
    shot("23-plan");

    // ---- Jobs: the backup job; filtered by state from the form; restore jobs.
    open("#/jobs");
    waitForText("#jobs", jobId);
    assertThat(text("#jobs")).contains("COMPLETED").contains("Orders");
    checkAccessible("jobs");
    shot("24-jobs");
    new Select(waitFor("#jobs-state")).selectByValue("FAILED");
    waitFor("#jobs-filter").click();
    waitForText("#jobs-empty", "No jobs match.");
    assertThat(browser.getCurrentUrl()).contains("state=FAILED");
    open("#/jobs?kind=restore");
    waitForText("#jobs", test.get("RestoreJobId").asText());

    // ---- Restore testing: the plan, the test's result and its RTO, drawn.
    open("#/restore-tests");
    waitForText("#restore-testing-plans", "weekly");
    assertThat(text("#restore-testing-plans")).contains("orders (validation window 1 h)");
    assertThat(text("#restore-tests")).contains("weekly").contains("Orders").contains("COMPLETED");
    assertThat(browser.findElement(By.cssSelector("#restore-tests .rto")).getText())
        .isEqualTo(rto.stripTrailingZeros().toPlainString() + " s");
    assertThat(samples("#rto-chart")).isEqualTo(1);
    checkAccessible("restore tests");
    shot("25-restore-tests");

    // ---- Audit trail: everything above, then filtered by action and table, and by time.
    // (The test's own polling of AWS Backup is audited too, so the table's records are asked for.)
    open("#/audit?table=Orders");
    waitForText("#audit-events", "dynamodb:CreateTable");
    assertThat(text("#audit-events")).contains(TABLE_ARN).contains("dynamodb:TagResource");
    assertThat(waitFor("#audit-table").getAttribute("value")).isEqualTo("Orders");
    checkAccessible("audit");
    shot("26-audit");
    type("#audit-action", "UpdateTable");
    waitFor("#audit-filter").click();
    waitForText("#audit-summary", "matching record(s)");
    wait.until(d -> d.getCurrentUrl().contains("action=UpdateTable"));
    waitFor("#audit-events");
    assertThat(browser.findElements(By.cssSelector("#audit-events tbody tr")))
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.getText()).contains("dynamodb:UpdateTable", TABLE_ARN));
    open("#/audit?action=backup:StartBackupJob");
    waitForText("#audit-events", "backup:StartBackupJob");
    open("#/audit?since=2099-01-01T00:00:00");
    waitForText("#audit-empty", "No records match.");

    // ---- Throughput and latency from /metrics, sampled by the page: the writes made between two
    // samples are drawn as PutItem's rate and latency.
    open("#/throughput");
    waitFor("#throughput-chart");
    for (int i = 0; i < 20; i++) {
      ConsoleApiIntegrationTest.put(east, "Orders", "t" + i, "load");
    }
    wait.until(
        d ->
            d.findElement(By.cssSelector("#throughput-chart figcaption"))
                .getAttribute("textContent")
                .contains("Latest: PutItem:"));
    assertThat(samples("#latency-chart")).isPositive();
    checkAccessible("throughput");
    shot("28-throughput");

    // ---- A phone's width.
    browser.manage().window().setSize(new Dimension(375, 800));
    try {
      open("#/restore-tests");
      waitFor("#rto-chart");
      checkAccessible("restore tests, narrow");
      open("#/audit");
      waitFor("#audit-events");
      checkAccessible("audit, narrow");
      shot("27-narrow-audit");
    } finally {
      browser.manage().window().setSize(new Dimension(1280, 1000));
    }
  }

  /**
   * {@code --auth iam}: the page signs its AWS Backup calls (GETs with query strings, for the
   * {@code backup} service) and its audit read with the signed-in key, and the gate verifies them:
   * the right key lists the job and its audit record, a wrong secret is refused and the refusal
   * shown.
   */
  @Test
  void inIamModeThePageSignsAwsBackupAndAuditCallsThatTheGateVerifies(@TempDir Path iamDir)
      throws Exception {
    String account = "123456789012";
    try (Bootstrap.Running iam = Bootstrap.start(IamServerConfig.of(iamDir, account))) {
      String[] admin = IamServerConfig.adminKey(iamDir.resolve("admin.credentials"));
      try (DynamoDbClient root =
          PeeredServers.client(iam.endpoint(), "us-east-1", admin[0], admin[1])) {
        ConsoleApiIntegrationTest.table(root, "Signed");
      }
      SignedHttp.RestAnswer started =
          SignedHttp.rest(
              iam.endpoint(),
              admin[0],
              admin[1],
              "PUT",
              "/backup-jobs",
              "{\"BackupVaultName\":\"Default\",\"ResourceArn\":\"arn:aws:dynamodb:us-east-1:"
                  + account
                  + ":table/Signed\",\"IamRoleArn\":\"arn:aws:iam::"
                  + account
                  + ":role/backup\"}");
      assertThat(started.status()).as(started.body()).isEqualTo(200);
      String jobId = JSON.readTree(started.body()).get("BackupJobId").asText();
      String page = iam.endpoint() + "/console/";
      browser.get(page);
      js(
          "sessionStorage.setItem('tidemark.console.credentials', JSON.stringify({accessKeyId: '"
              + admin[0]
              + "', secretAccessKey: '"
              + admin[1]
              + "'}));");
      // Any state: in --auth iam the job's role is decided, and no role named "backup" exists
      // here, so the job FAILS; what this test checks is that the page's signed GET is admitted.
      browser.get(page + "#/jobs?kind=backup");
      waitForText("#jobs", jobId);
      browser.get(page + "#/audit?action=backup:StartBackupJob");
      waitForText("#audit-events", "backup:StartBackupJob");
      assertThat(text("#audit-events")).contains("arn:aws:iam::" + account + ":root");
      js(
          "sessionStorage.setItem('tidemark.console.credentials', JSON.stringify({accessKeyId: '"
              + admin[0]
              + "', secretAccessKey: 'not-the-secret'}));");
      browser.get(page + "#/vaults");
      waitForText("#status", "signature");
      shot("29-iam-wrong-secret");
    } finally {
      browser.get("about:blank");
    }
  }
}
