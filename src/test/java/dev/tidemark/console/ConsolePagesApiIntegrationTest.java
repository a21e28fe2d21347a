package dev.tidemark.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.auth.SignedHttp;
import dev.tidemark.cli.Bootstrap;
import dev.tidemark.cli.ServerConfig;
import dev.tidemark.testkit.GlobalTableKit;
import dev.tidemark.testkit.IamServerConfig;
import dev.tidemark.testkit.OpenServerConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ReplicationGroupUpdate;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * Protects the console's reads of replication state ({@code DescribeReplicas}) and of the audit
 * trail ({@code ListAuditEvents}) through a live server, signed as the console signs them: what
 * each answers against real replicas and a real trail, DynamoDB's errors for bad input, and in
 * {@code --auth iam} that each is refused without its permission (DescribeTable on the table;
 * cloudtrail:LookupEvents) and allowed with it, the refusal itself landing in the trail.
 */
class ConsolePagesApiIntegrationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private static SignedHttp.RestAnswer call(
      String endpoint, String id, String secret, String op, String body) throws Exception {
    return SignedHttp.post(endpoint, id, secret, "dynamodb", "/console/api/" + op, body, Map.of());
  }

  /** As the console signs in open mode (any key). */
  private static SignedHttp.RestAnswer call(String endpoint, String op, String body)
      throws Exception {
    return call(endpoint, "test", "test", op, body);
  }

  private static JsonNode ok(String endpoint, String op, String body) throws Exception {
    SignedHttp.RestAnswer a = call(endpoint, op, body);
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    return JSON.readTree(a.body());
  }

  private static void refused(SignedHttp.RestAnswer a, String type, String messagePart)
      throws Exception {
    assertThat(a.status()).as(a.body()).isEqualTo(400);
    JsonNode e = JSON.readTree(a.body());
    assertThat(e.get("__type").asText()).endsWith("#" + type);
    assertThat(e.get("message").asText()).contains(messagePart);
  }

  /** Each replica's status, the peer's reachability, shipping backlog and lag as received here. */
  @Test
  void replicasShowTheStateTheServerKeepsForEachRegion() throws Exception {
    try (PeeredServers s = new PeeredServers(dir, System::currentTimeMillis);
        DynamoDbClient east = PeeredServers.client(s.east.endpoint(), PeeredServers.EAST);
        DynamoDbClient west = PeeredServers.client(s.west.endpoint(), PeeredServers.WEST)) {
      String e = s.east.endpoint();
      ConsoleApiIntegrationTest.table(east, "Orders");
      JsonNode before = ok(e, "DescribeReplicas", "{\"TableName\":\"Orders\"}");
      assertThat(before.get("PeerRegions"))
          .extracting(JsonNode::asText)
          .containsExactly("eu-west-1");
      assertThat(before.get("Replicas")).isEmpty();

      east.updateTable(
          r ->
              r.tableName("Orders")
                  .replicaUpdates(
                      ReplicationGroupUpdate.builder()
                          .create(c -> c.regionName(PeeredServers.WEST))
                          .build()));
      GlobalTableKit.awaitActive(east, "Orders", 2);
      for (int i = 0; i < 3; i++) {
        ConsoleApiIntegrationTest.put(west, "Orders", "w" + i, "from-west");
      }
      JsonNode r = null;
      for (int i = 0; i < 200; i++) {
        r = ok(e, "DescribeReplicas", "{\"TableName\":\"Orders\"}");
        if (r.at("/Replicas/0/LagToThisRegion/Applied").asLong() >= 3) {
          break;
        }
        Thread.sleep(50);
      }
      assertThat(r.get("RegionName").asText()).isEqualTo("us-east-1");
      JsonNode replica = r.at("/Replicas/0");
      assertThat(replica.get("RegionName").asText()).isEqualTo("eu-west-1");
      assertThat(replica.get("ReplicaStatus").asText()).isEqualTo("ACTIVE");
      assertThat(replica.get("PeerReachable").asBoolean()).isTrue();
      assertThat(replica.get("PendingChangeLogPositions").asLong()).isGreaterThanOrEqualTo(0);
      assertThat(replica.at("/LagToThisRegion/Applied").asLong()).isGreaterThanOrEqualTo(3);
      assertThat(replica.at("/LagToThisRegion/Samples").asLong()).isPositive();
      assertThat(replica.at("/LagToThisRegion/MaxMillis").asLong())
          .isGreaterThanOrEqualTo(replica.at("/LagToThisRegion/P50Millis").asLong());
      // The last hour, kept by the server: every lag measured is in one of its 10 s buckets.
      JsonNode hour = replica.at("/LagToThisRegion/LastHour");
      assertThat(hour).isNotEmpty();
      long recorded = 0;
      for (JsonNode b : hour) {
        recorded += b.get("Records").asLong();
        assertThat(b.get("StartMillis").asLong() % 10_000).isZero();
        assertThat(b.get("MaxMillis").asLong())
            .isGreaterThanOrEqualTo(b.get("MeanMillis").asLong());
      }
      // Read after the summary, so a late duplicate delivery can only add to it.
      assertThat(recorded).isGreaterThanOrEqualTo(replica.at("/LagToThisRegion/Samples").asLong());
      assertThat(replica.at("/LagToThisRegion/BucketMillis").asLong()).isEqualTo(10_000);

      refused(
          call(e, "DescribeReplicas", "{}"), "ValidationException", "Value null at 'tableName'");
      refused(
          call(e, "DescribeReplicas", "{\"TableName\":\"Missing\"}"),
          "ResourceNotFoundException",
          "");
    }
  }

  /** A server with no peers: no region to create a replica in, and none listed. */
  @Test
  void withoutPeersNoReplicaCanBeCreated() throws Exception {
    try (Bootstrap.Running server = Bootstrap.start(OpenServerConfig.inMemory(dir));
        DynamoDbClient ddb = PeeredServers.client(server.endpoint(), "us-east-1")) {
      ConsoleApiIntegrationTest.table(ddb, "Alone");
      JsonNode r = ok(server.endpoint(), "DescribeReplicas", "{\"TableName\":\"Alone\"}");
      assertThat(r.get("PeerRegions")).isEmpty();
      assertThat(r.get("Replicas")).isEmpty();
      // No trail in memory without --audit-dir: said, not an empty list.
      JsonNode audit = ok(server.endpoint(), "ListAuditEvents", "{}");
      assertThat(audit.get("AuditTrailEnabled").asBoolean()).isFalse();
    }
  }

  /** The trail's records newest first, with the filters of {@code tidemark audit}. */
  @Test
  void auditEventsAreFilteredAndNewestFirst() throws Exception {
    ServerConfig config =
        new ServerConfig(
            "127.0.0.1",
            0,
            dir.resolve("data"),
            false,
            "us-east-1",
            ServerConfig.Durability.SYNC,
            "000000000000",
            dir.resolve("backups"),
            null);
    try (Bootstrap.Running server = Bootstrap.start(config);
        DynamoDbClient ddb = PeeredServers.client(server.endpoint(), "us-east-1")) {
      String e = server.endpoint();
      long start = System.currentTimeMillis();
      ConsoleApiIntegrationTest.table(ddb, "Kept");
      ConsoleApiIntegrationTest.table(ddb, "Dropped");
      ddb.updateTable(r -> r.tableName("Kept").deletionProtectionEnabled(true));
      ddb.deleteTable(r -> r.tableName("Dropped"));

      JsonNode all = ok(e, "ListAuditEvents", "{}");
      assertThat(all.get("AuditTrailEnabled").asBoolean()).isTrue();
      List<String> actions = new ArrayList<>();
      all.get("Events").forEach(n -> actions.add(n.get("Action").asText()));
      assertThat(actions)
          .containsSubsequence(
              "dynamodb:DeleteTable",
              "dynamodb:UpdateTable",
              "dynamodb:CreateTable",
              "dynamodb:CreateTable");
      JsonNode kept =
          ok(e, "ListAuditEvents", "{\"TableName\":\"Kept\",\"Action\":\"UpdateTable\"}");
      assertThat(kept.get("Events")).hasSize(1);
      assertThat(kept.at("/Events/0/Resources/0").asText())
          .isEqualTo("arn:aws:dynamodb:us-east-1:000000000000:table/Kept");
      assertThat(kept.at("/Events/0/Outcome").asText()).isEqualTo("Success");
      JsonNode dropped =
          ok(e, "ListAuditEvents", "{\"Action\":\"dynamodb:DeleteTable\",\"MaxResults\":5}");
      assertThat(dropped.get("Events")).hasSize(1);
      assertThat(dropped.at("/Events/0/Resources/0").asText()).endsWith(":table/Dropped");
      JsonNode newest = ok(e, "ListAuditEvents", "{\"MaxResults\":1}");
      assertThat(newest.get("Truncated").asBoolean()).isTrue();
      assertThat(newest.get("Events")).hasSize(1);
      assertThat(newest.get("Matched").asLong()).isGreaterThan(1);
      double future = (System.currentTimeMillis() + 60_000) / 1000.0;
      assertThat(ok(e, "ListAuditEvents", "{\"StartTime\":" + future + "}").get("Events"))
          .isEmpty();
      assertThat(
              ok(e, "ListAuditEvents", "{\"EndTime\":" + (start - 60_000) / 1000.0 + "}")
                  .get("Events"))
          .isEmpty();

      refused(
          call(e, "ListAuditEvents", "{\"MaxResults\":0}"), "ValidationException", "maxResults");
      refused(
          call(e, "ListAuditEvents", "{\"StartTime\":20,\"EndTime\":10}"),
          "ValidationException",
          "StartTime must not be after EndTime");
      refused(
          call(e, "ListAuditEvents", "{\"StartTime\":\"yesterday\"}"),
          "SerializationException",
          "StartTime");
    }
  }

  /**
   * {@code --auth iam}: each console read is authorized as what it reveals; refused without the
   * permission, allowed with it, and the refusal is in the trail.
   */
  @Test
  void iamModeRefusesEachReadWithoutItsPermission() throws Exception {
    String account = "123456789012";
    try (Bootstrap.Running server = Bootstrap.start(IamServerConfig.of(dir, account))) {
      String e = server.endpoint();
      String[] admin = IamServerConfig.adminKey(dir.resolve("admin.credentials"));
      try (IamClient iam =
              IamClient.builder()
                  .endpointOverride(URI.create(e))
                  .region(Region.US_EAST_1)
                  .credentialsProvider(
                      StaticCredentialsProvider.create(
                          AwsBasicCredentials.create(admin[0], admin[1])))
                  .httpClient(UrlConnectionHttpClient.create())
                  .build();
          DynamoDbClient root = PeeredServers.client(e, "us-east-1", admin[0], admin[1])) {
        ConsoleApiIntegrationTest.table(root, "Orders");
        ConsoleApiIntegrationTest.table(root, "Secret");
        iam.createUser(r -> r.userName("viewer"));
        iam.putUserPolicy(
            r ->
                r.userName("viewer")
                    .policyName("describe-orders")
                    .policyDocument(
                        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                            + "\"Action\":\"dynamodb:DescribeTable\",\"Resource\":"
                            + "\"arn:aws:dynamodb:us-east-1:"
                            + account
                            + ":table/Orders\"}]}"));
        var key = iam.createAccessKey(r -> r.userName("viewer")).accessKey();
        String id = key.accessKeyId();
        String secret = key.secretAccessKey();

        SignedHttp.RestAnswer orders =
            call(e, id, secret, "DescribeReplicas", "{\"TableName\":\"Orders\"}");
        assertThat(orders.status()).as(orders.body()).isEqualTo(200);
        refused(
            call(e, id, secret, "DescribeReplicas", "{\"TableName\":\"Secret\"}"),
            "AccessDeniedException",
            "dynamodb:DescribeTable");
        refused(
            call(e, id, secret, "ListAuditEvents", "{}"),
            "AccessDeniedException",
            "cloudtrail:LookupEvents");
        // A restore's progress is DescribeTable's RestoreInProgress in detail: the same permission.
        SignedHttp.RestAnswer progress =
            call(e, id, secret, "DescribeRestoreProgress", "{\"TableName\":\"Orders\"}");
        assertThat(progress.status()).as(progress.body()).isEqualTo(200);
        assertThat(JSON.readTree(progress.body()).get("RestoreInProgress").asBoolean()).isFalse();
        refused(
            call(e, id, secret, "DescribeRestoreProgress", "{\"TableName\":\"Secret\"}"),
            "AccessDeniedException",
            "dynamodb:DescribeTable");
        refused(
            call(e, admin[0], admin[1], "DescribeRestoreProgress", "{}"),
            "ValidationException",
            "Value null at 'tableName'");
        // Unsigned: nobody at all.
        assertThat(call(e, id, "not-the-secret", "ListAuditEvents", "{}").status()).isEqualTo(400);

        iam.putUserPolicy(
            r ->
                r.userName("viewer")
                    .policyName("audit")
                    .policyDocument(
                        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                            + "\"Action\":\"cloudtrail:LookupEvents\",\"Resource\":\"*\"}]}"));
        JsonNode denied = null;
        for (int i = 0; i < 100; i++) {
          SignedHttp.RestAnswer a =
              call(
                  e,
                  id,
                  secret,
                  "ListAuditEvents",
                  "{\"Identity\":\"viewer\",\"Action\":\"tidemark:ListAuditEvents\"}");
          assertThat(a.status()).as(a.body()).isEqualTo(200);
          JsonNode events = JSON.readTree(a.body()).get("Events");
          for (JsonNode ev : events) {
            if (ev.get("Outcome").asText().equals("Denied")) {
              denied = ev;
            }
          }
          if (denied != null) {
            break;
          }
          Thread.sleep(50);
        }
        assertThat(denied).as("the refused ListAuditEvents in the trail").isNotNull();
        assertThat(denied.get("Identity").asText())
            .isEqualTo("arn:aws:iam::" + account + ":user/viewer");
        assertThat(denied.get("ErrorType").asText()).isEqualTo("AccessDeniedException");
      }
    }
  }
}
