package dev.tidemark.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.auth.SignedHttp;
import dev.tidemark.cli.Bootstrap;
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
import software.amazon.awssdk.services.iam.IamClient;

/**
 * Protects {@code tidemark:DescribeTableSummaries}, the console's one-call tables page: it pages by
 * name as ListTables does and answers what DescribeTable and DescribeContinuousBackups would; bad
 * input gets DynamoDB's ValidationException; and in IAM mode the gate wants ListTables for the call
 * and the list shows only the tables the caller may DescribeTable (their PITR state only where
 * DescribeContinuousBackups is allowed), so it reveals nothing those calls would not.
 */
class TableSummariesIntegrationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OP = "/console/api/DescribeTableSummaries";

  private static DynamoDbClient client(String endpoint, String id, String secret) {
    return DynamoDbClient.builder()
        .endpointOverride(URI.create(endpoint))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret)))
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  private static JsonNode call(String endpoint, String id, String secret, String body)
      throws Exception {
    SignedHttp.RestAnswer a = SignedHttp.post(endpoint, id, secret, "dynamodb", OP, body, Map.of());
    JsonNode json = JSON.readTree(a.body());
    assertThat(a.status()).as(a.body()).isEqualTo(json.has("__type") ? a.status() : 200);
    return json;
  }

  private static List<String> names(JsonNode page) {
    List<String> out = new ArrayList<>();
    page.get("TableSummaries").forEach(t -> out.add(t.get("TableName").asText()));
    return out;
  }

  @Test
  void pagesByNameWithWhatDescribeTableSaysAndValidatesFirst(@TempDir Path dir) throws Exception {
    try (Bootstrap.Running server = Bootstrap.start(OpenServerConfig.inMemory(dir));
        DynamoDbClient ddb = client(server.endpoint(), "test", "test")) {
      String e = server.endpoint();
      for (String t : List.of("tab3", "tab1", "tab5", "tab2", "tab4")) {
        ConsoleApiIntegrationTest.table(ddb, t);
      }
      ConsoleApiIntegrationTest.put(ddb, "tab1", "a", "x");
      ddb.updateContinuousBackups(
          r ->
              r.tableName("tab2")
                  .pointInTimeRecoverySpecification(s -> s.pointInTimeRecoveryEnabled(true)));
      ddb.updateTable(r -> r.tableName("tab3").deletionProtectionEnabled(true));

      JsonNode first = call(e, "test", "test", "{\"Limit\": 2}");
      assertThat(names(first)).containsExactly("tab1", "tab2");
      assertThat(first.get("LastEvaluatedTableName").asText()).isEqualTo("tab2");
      JsonNode t1 = first.get("TableSummaries").get(0);
      assertThat(t1.get("TableStatus").asText()).isEqualTo("ACTIVE");
      assertThat(t1.get("ItemCount").asLong()).isEqualTo(1);
      assertThat(t1.get("TableArn").asText())
          .isEqualTo(ddb.describeTable(r -> r.tableName("tab1")).table().tableArn());
      assertThat(
              t1.at(
                      "/ContinuousBackupsDescription/PointInTimeRecoveryDescription/PointInTimeRecoveryStatus")
                  .asText())
          .isEqualTo("DISABLED");
      assertThat(
              first
                  .get("TableSummaries")
                  .get(1)
                  .at(
                      "/ContinuousBackupsDescription/PointInTimeRecoveryDescription/RecoveryPeriodInDays")
                  .asInt())
          .isEqualTo(35);

      JsonNode rest = call(e, "test", "test", "{\"ExclusiveStartTableName\": \"tab2\"}");
      assertThat(names(rest)).containsExactly("tab3", "tab4", "tab5");
      assertThat(rest.has("LastEvaluatedTableName")).isFalse();
      assertThat(rest.get("TableSummaries").get(0).get("DeletionProtectionEnabled").asBoolean())
          .isTrue();

      JsonNode bad = call(e, "test", "test", "{\"Limit\": 0}");
      assertThat(bad.get("__type").asText()).endsWith("#ValidationException");
      assertThat(bad.get("message").asText()).contains("limit");
      JsonNode tooMany = call(e, "test", "test", "{\"Limit\": 101}");
      assertThat(tooMany.get("__type").asText()).endsWith("#ValidationException");
    }
  }

  @Test
  void inIamModeListsOnlyTheTablesTheCallerMayDescribe(@TempDir Path dir) throws Exception {
    String account = "123456789012";
    try (Bootstrap.Running server = Bootstrap.start(IamServerConfig.of(dir, account, true))) {
      String e = server.endpoint();
      String[] root = IamServerConfig.adminKey(dir.resolve("admin.credentials"));
      try (DynamoDbClient admin = client(e, root[0], root[1]);
          IamClient iam =
              IamClient.builder()
                  .endpointOverride(URI.create(e))
                  .region(Region.US_EAST_1)
                  .credentialsProvider(
                      StaticCredentialsProvider.create(
                          AwsBasicCredentials.create(root[0], root[1])))
                  .httpClient(UrlConnectionHttpClient.create())
                  .build()) {
        for (String t : List.of("App1", "App2", "Other", "Secret")) {
          ConsoleApiIntegrationTest.table(admin, t);
        }
        String arn = "arn:aws:dynamodb:us-east-1:" + account + ":table/";
        iam.createUser(r -> r.userName("viewer"));
        iam.putUserPolicy(
            r ->
                r.userName("viewer")
                    .policyName("p")
                    .policyDocument(
                        """
                        {"Version": "2012-10-17", "Statement": [
                          {"Effect": "Allow", "Action": "dynamodb:ListTables", "Resource": "*"},
                          {"Effect": "Allow", "Action": "dynamodb:DescribeTable",
                           "Resource": ["%1$sApp*", "%1$sOther"]},
                          {"Effect": "Allow", "Action": "dynamodb:DescribeContinuousBackups",
                           "Resource": "%1$sApp1"},
                          {"Effect": "Deny", "Action": "dynamodb:DescribeTable",
                           "Resource": "%1$sOther"}]}
                        """
                            .formatted(arn)));
        var viewer = iam.createAccessKey(r -> r.userName("viewer")).accessKey();
        iam.createUser(r -> r.userName("nolist"));
        iam.putUserPolicy(
            r ->
                r.userName("nolist")
                    .policyName("p")
                    .policyDocument(
                        """
                        {"Version": "2012-10-17", "Statement": [
                          {"Effect": "Allow", "Action": "dynamodb:DescribeTable", "Resource": "*"}]}
                        """));
        var nolist = iam.createAccessKey(r -> r.userName("nolist")).accessKey();

        JsonNode seen = call(e, viewer.accessKeyId(), viewer.secretAccessKey(), "{}");
        assertThat(names(seen)).containsExactly("App1", "App2");
        assertThat(seen.get("TableSummaries").get(0).has("ContinuousBackupsDescription")).isTrue();
        assertThat(seen.get("TableSummaries").get(1).has("ContinuousBackupsDescription")).isFalse();
        // Pages count the names examined, not only those shown.
        JsonNode page = call(e, viewer.accessKeyId(), viewer.secretAccessKey(), "{\"Limit\": 2}");
        assertThat(names(page)).containsExactly("App1", "App2");
        assertThat(page.get("LastEvaluatedTableName").asText()).isEqualTo("App2");
        JsonNode after =
            call(
                e,
                viewer.accessKeyId(),
                viewer.secretAccessKey(),
                "{\"ExclusiveStartTableName\": \"App2\"}");
        assertThat(names(after)).isEmpty();
        assertThat(after.has("LastEvaluatedTableName")).isFalse();

        JsonNode refused = call(e, nolist.accessKeyId(), nolist.secretAccessKey(), "{}");
        assertThat(refused.get("__type").asText()).endsWith("#AccessDeniedException");
        assertThat(refused.get("message").asText())
            .contains("is not authorized to perform: dynamodb:ListTables");

        assertThat(names(call(e, root[0], root[1], "{}")))
            .containsExactly("App1", "App2", "Other", "Secret");
      }
    }
  }
}
