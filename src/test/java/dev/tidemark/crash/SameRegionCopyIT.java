package dev.tidemark.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.auth.SignedHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Copies to another account's vault in the same region, the common cross-account case on AWS: two
 * server processes in us-east-1 with different --account, the source naming the other with
 * --copy-peer. Protects: a destination no option names is refused at StartCopyJob with
 * InvalidParameterValueException naming --copy-peer; the copy fails with AWS's access-denied
 * message while the destination vault's access policy does not allow the source account, and
 * completes once it does; the copy is listed in the destination vault with SourceBackupVaultArn,
 * the source's creation date and lifecycle, and restores there into a table with identical items.
 */
class SameRegionCopyIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> JVM = List.of("-Xmx160m", "-XX:+UseSerialGC");
  private static final String REGION = "us-east-1";
  private static final String[] ACCOUNTS = {"111111111111", "222222222222"};
  private static final String TABLE_ARN =
      "arn:aws:dynamodb:us-east-1:" + ACCOUNTS[0] + ":table/orders";

  @TempDir Path dir;
  private final int[] ports = new int[2];
  private final ServerProcess[] servers = new ServerProcess[2];

  @AfterEach
  void stop() {
    for (ServerProcess s : servers) {
      if (s != null) {
        s.close();
      }
    }
  }

  private void start(int i, String... extra) throws Exception {
    List<String> args = new ArrayList<>();
    args.addAll(List.of("--region", REGION, "--account", ACCOUNTS[i]));
    args.addAll(List.of("--replication-secret-file", dir.resolve("secret").toString()));
    args.addAll(List.of(extra));
    Path home = dir.resolve(ACCOUNTS[i]);
    Files.createDirectories(home);
    servers[i] =
        ServerProcess.start(
            JVM,
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
    return CopyFixtures.ok(ports[i], ACCOUNTS[i], method, path, body);
  }

  private static String vaultArn(int i, String name) {
    return "arn:aws:backup:" + REGION + ":" + ACCOUNTS[i] + ":backup-vault:" + name;
  }

  private static String role(int i) {
    return "arn:aws:iam::" + ACCOUNTS[i] + ":role/backup";
  }

  /** Polls {@code path} on server {@code i} until {@code field} is one of the final states. */
  private JsonNode await(int i, String path, String field) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      JsonNode j = ok(i, "GET", path, null);
      JsonNode job = j.has("CopyJob") ? j.get("CopyJob") : j;
      if (job.get(field).asText().matches("COMPLETED|FAILED|ABORTED")
          || System.currentTimeMillis() > deadline) {
        return job;
      }
      Thread.sleep(50);
    }
  }

  private SignedHttp.RestAnswer startCopy(String point, String destination) throws Exception {
    return call(
        0,
        "PUT",
        "/copy-jobs",
        "{\"RecoveryPointArn\":\""
            + point
            + "\",\"SourceBackupVaultName\":\"Default\",\"DestinationBackupVaultArn\":\""
            + destination
            + "\",\"IamRoleArn\":\""
            + role(0)
            + "\"}");
  }

  private JsonNode copy(String point, String destination) throws Exception {
    SignedHttp.RestAnswer a = startCopy(point, destination);
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    return await(0, "/copy-jobs/" + JSON.readTree(a.body()).get("CopyJobId").asText(), "State");
  }

  @Test
  void aCopyToAnotherAccountInThisRegionNeedsItsVaultPolicyAndRestores() throws Exception {
    Files.writeString(dir.resolve("secret"), "copy-test-shared-secret-0123456789");
    ports[0] = ServerProcess.freePort();
    ports[1] = ServerProcess.freePort();
    start(1);
    start(0, "--copy-peer", ACCOUNTS[1] + ":" + REGION + "=http://127.0.0.1:" + ports[1]);
    DynamoDbClient source = servers[0].client();
    ServerProcess.createTable(source, "orders");
    // About 1 MB in 500 items, so that the copy carries several objects.
    Map<String, Map<String, AttributeValue>> items = CopyFixtures.fill(source, "orders", 500);
    JsonNode job =
        ok(
            0,
            "PUT",
            "/backup-jobs",
            "{\"BackupVaultName\":\"Default\",\"ResourceArn\":\""
                + TABLE_ARN
                + "\",\"IamRoleArn\":\""
                + role(0)
                + "\",\"Lifecycle\":{\"DeleteAfterDays\":35}}");
    JsonNode backup = await(0, "/backup-jobs/" + job.get("BackupJobId").asText(), "State");
    assertThat(backup.get("State").asText()).as(backup.toString()).isEqualTo("COMPLETED");
    String point = backup.get("RecoveryPointArn").asText();
    ok(1, "PUT", "/backup-vaults/xacct", "{}");

    // An account of this region that no --copy-peer names: refused at once, naming the option.
    SignedHttp.RestAnswer unnamed =
        startCopy(point, "arn:aws:backup:us-east-1:333333333333:backup-vault:dr");
    assertThat(unnamed.status()).isEqualTo(400);
    assertThat(unnamed.errorType()).isEqualTo("InvalidParameterValueException");
    assertThat(unnamed.body()).contains("--copy-peer 333333333333:us-east-1=URL");

    // Refused by the destination while its vault's policy does not allow this account.
    JsonNode refused = copy(point, vaultArn(1, "xacct"));
    assertThat(refused.get("State").asText()).isEqualTo("FAILED");
    assertThat(refused.get("StatusMessage").asText())
        .contains(
            "account " + ACCOUNTS[0] + " is not authorized to perform backup:CopyIntoBackupVault");
    assertThat(refused.get("MessageCategory").asText()).isEqualTo("ACCESS_DENIED");
    assertThat(ok(1, "GET", "/backup-vaults/xacct/recovery-points/", null).get("RecoveryPoints"))
        .isEmpty();
    String policy =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
            + "\"arn:aws:iam::"
            + ACCOUNTS[0]
            + ":root\"},\"Action\":\"backup:CopyIntoBackupVault\",\"Resource\":\"*\"}]}";
    ok(
        1,
        "PUT",
        "/backup-vaults/xacct/access-policy",
        JSON.createObjectNode().put("Policy", policy).toString());

    JsonNode allowed = copy(point, vaultArn(1, "xacct"));
    assertThat(allowed.get("State").asText()).as(allowed.toString()).isEqualTo("COMPLETED");
    JsonNode sourcePoint =
        ok(0, "GET", "/backup-vaults/Default/recovery-points/", null).get("RecoveryPoints").get(0);
    JsonNode copied =
        ok(1, "GET", "/backup-vaults/xacct/recovery-points/", null).get("RecoveryPoints");
    assertThat(copied).hasSize(1);
    JsonNode dest = copied.get(0);
    assertThat(dest.get("RecoveryPointArn").asText())
        .isEqualTo(allowed.get("DestinationRecoveryPointArn").asText())
        .startsWith("arn:aws:backup:us-east-1:" + ACCOUNTS[1] + ":recovery-point:");
    assertThat(dest.get("Status").asText()).isEqualTo("COMPLETED");
    assertThat(dest.get("SourceBackupVaultArn").asText()).isEqualTo(vaultArn(0, "Default"));
    assertThat(dest.get("CreationDate").decimalValue())
        .isEqualByComparingTo(sourcePoint.get("CreationDate").decimalValue());
    assertThat(dest.get("Lifecycle").get("DeleteAfterDays").asInt()).isEqualTo(35);
    assertThat(dest.get("CalculatedLifecycle").get("DeleteAt").decimalValue())
        .isEqualByComparingTo(
            sourcePoint.get("CalculatedLifecycle").get("DeleteAt").decimalValue());

    // Restored in the other account from the copy: every item, byte for byte.
    String restore =
        ok(
                1,
                "PUT",
                "/restore-jobs",
                "{\"RecoveryPointArn\":\""
                    + dest.get("RecoveryPointArn").asText()
                    + "\",\"IamRoleArn\":\""
                    + role(1)
                    + "\",\"Metadata\":{\"targetTableName\":\"orders-from-copy\"}}")
            .get("RestoreJobId")
            .asText();
    JsonNode restored = await(1, "/restore-jobs/" + restore, "Status");
    assertThat(restored.get("Status").asText()).as(restored.toString()).isEqualTo("COMPLETED");
    assertThat(CopyFixtures.scan(servers[1].client(), "orders-from-copy")).isEqualTo(items);
  }
}
