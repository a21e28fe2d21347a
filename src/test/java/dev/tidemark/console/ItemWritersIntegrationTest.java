package dev.tidemark.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.auth.SignedHttp;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.changelog.ChangeRecordCodec;
import dev.tidemark.changelog.ChangeRecordWriterFormatTest;
import dev.tidemark.cli.Bootstrap;
import dev.tidemark.cli.ServerConfig;
import dev.tidemark.history.ItemHistory;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.ChangeKeys;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.RocksStorage;
import dev.tidemark.storage.WriteSet;
import dev.tidemark.testkit.IamServerConfig;
import java.net.URI;
import java.nio.file.Path;
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
import software.amazon.awssdk.services.iam.model.AccessKey;

/**
 * Protects "who wrote each version" in item history under {@code --auth iam}: two IAM users write
 * the same item and {@code ListItemVersions} names each user's ARN for the version they made, the
 * names survive a restart (the id table is in the meta space), and change records stored in the
 * format from before identities were recorded still read, as written by an unknown writer.
 */
class ItemWritersIntegrationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ACCOUNT = "123456789012";

  @TempDir Path dir;

  @Test
  void eachVersionNamesTheUserWhoWroteIt() throws Exception {
    ServerConfig config = IamServerConfig.of(dir, ACCOUNT);
    String[] admin;
    try (Bootstrap.Running server = Bootstrap.start(config)) {
      String e = server.endpoint();
      admin = IamServerConfig.adminKey(dir.resolve("admin.credentials"));
      try (IamClient iam = iam(e, admin);
          DynamoDbClient root = PeeredServers.client(e, "us-east-1", admin[0], admin[1])) {
        ConsoleApiIntegrationTest.table(root, "Shared");
        // Written before the records are rewritten in the old format, below.
        ConsoleApiIntegrationTest.put(root, "Shared", "legacy", "old");
        AccessKey alice = writer(iam, "alice");
        AccessKey bob = writer(iam, "bob");
        try (DynamoDbClient a = client(e, alice);
            DynamoDbClient b = client(e, bob)) {
          ConsoleApiIntegrationTest.put(a, "Shared", "doc", "by-alice");
          ConsoleApiIntegrationTest.put(b, "Shared", "doc", "by-bob");
          a.deleteItem(
              r ->
                  r.tableName("Shared")
                      .key(
                          Map.of(
                              "pk",
                              software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(
                                  "doc"))));
        }
        List<JsonNode> v = versions(e, admin, "doc");
        assertWriters(v);
      }
    }

    // Rewrite the first item's records as the server stored them before writers were recorded.
    int rewritten = 0;
    try (RocksStorage storage = RocksStorage.open(config.dataDir())) {
      for (long tableId = 0; tableId < 64; tableId++) {
        WriteSet ws = new WriteSet();
        try (Cursor c = storage.changes(tableId, 0, Long.MAX_VALUE)) {
          while (c.next()) {
            long seq = ChangeKeys.seq(c.key());
            ChangeRecord r = ChangeRecordCodec.decode(tableId, seq, c.value());
            if (r.key().equals(Map.of("pk", AttributeValue.s("legacy")))) {
              ws.putChange(tableId, seq, ChangeRecordWriterFormatTest.formatOne(r));
              rewritten++;
            }
          }
        }
        if (!ws.isEmpty()) {
          storage.apply(ws);
        }
      }
    }
    assertThat(rewritten).isEqualTo(1);

    try (Bootstrap.Running server = Bootstrap.start(config)) {
      String e = server.endpoint();
      // The names come back from the meta space after the restart.
      assertWriters(versions(e, admin, "doc"));
      List<JsonNode> legacy = versions(e, admin, "legacy");
      assertThat(legacy).hasSize(1);
      assertThat(legacy.get(0).at("/NewImage/v/S").asText()).isEqualTo("old");
      assertThat(legacy.get(0).get("Writer").asText()).isEqualTo(ItemHistory.UNKNOWN_WRITER);
      assertThat(legacy.get(0).get("WriterKnown").asBoolean()).isFalse();
      // A new write to the same item after the old record names its writer again.
      try (DynamoDbClient root = PeeredServers.client(e, "us-east-1", admin[0], admin[1])) {
        ConsoleApiIntegrationTest.put(root, "Shared", "legacy", "new");
      }
      legacy = versions(e, admin, "legacy");
      assertThat(legacy).hasSize(2);
      assertThat(legacy.get(1).get("WriterKnown").asBoolean()).isTrue();
      assertThat(legacy.get(1).get("Writer").asText()).startsWith("arn:aws:iam::" + ACCOUNT + ":");
    }
  }

  private static void assertWriters(List<JsonNode> v) {
    assertThat(v)
        .extracting(n -> n.get("EventName").asText())
        .containsExactly("INSERT", "MODIFY", "REMOVE");
    assertThat(v)
        .extracting(n -> n.get("Writer").asText())
        .containsExactly(
            "arn:aws:iam::" + ACCOUNT + ":user/alice",
            "arn:aws:iam::" + ACCOUNT + ":user/bob",
            "arn:aws:iam::" + ACCOUNT + ":user/alice");
    assertThat(v).allMatch(n -> n.get("WriterKnown").asBoolean());
  }

  private static List<JsonNode> versions(String endpoint, String[] key, String pk)
      throws Exception {
    SignedHttp.RestAnswer a =
        SignedHttp.post(
            endpoint,
            key[0],
            key[1],
            "dynamodb",
            "/console/api/ListItemVersions",
            "{\"TableName\":\"Shared\",\"Key\":{\"pk\":{\"S\":\"" + pk + "\"}}}",
            Map.of());
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    List<JsonNode> out = new java.util.ArrayList<>();
    JSON.readTree(a.body()).get("Versions").forEach(out::add);
    return out;
  }

  /** A user allowed to write the table's items, and its key. */
  private static AccessKey writer(IamClient iam, String name) {
    iam.createUser(r -> r.userName(name));
    iam.putUserPolicy(
        r ->
            r.userName(name)
                .policyName("write-shared")
                .policyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                        + "\"Action\":[\"dynamodb:PutItem\",\"dynamodb:DeleteItem\"],"
                        + "\"Resource\":\"arn:aws:dynamodb:us-east-1:"
                        + ACCOUNT
                        + ":table/Shared\"}]}"));
    return iam.createAccessKey(r -> r.userName(name)).accessKey();
  }

  private static DynamoDbClient client(String endpoint, AccessKey key) {
    return PeeredServers.client(endpoint, "us-east-1", key.accessKeyId(), key.secretAccessKey());
  }

  private static IamClient iam(String endpoint, String[] admin) {
    return IamClient.builder()
        .endpointOverride(URI.create(endpoint))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(admin[0], admin[1])))
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }
}
