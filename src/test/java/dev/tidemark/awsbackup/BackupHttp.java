package dev.tidemark.awsbackup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.auth.SignedHttp;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;

/**
 * AWS Backup calls to a live server signed with SigV4 for the {@code backup} service (the SDK's
 * Backup client is not available here), with the assertions the API tests share: a 200 answer, or
 * AWS's refusal with its type in {@code x-amzn-ErrorType} and the body, and its message verbatim.
 */
final class BackupHttp {
  static final ObjectMapper JSON = new ObjectMapper();

  private final String endpoint;
  private final String id;
  private final String secret;

  BackupHttp(String endpoint, String id, String secret) {
    this.endpoint = endpoint;
    this.id = id;
    this.secret = secret;
  }

  SignedHttp.RestAnswer call(String method, String path, String body) throws Exception {
    return SignedHttp.rest(endpoint, id, secret, method, path, body);
  }

  JsonNode ok(String method, String path, String body) throws Exception {
    SignedHttp.RestAnswer a = call(method, path, body);
    assertThat(a.status()).as(method + " " + path + ": " + a.body()).isEqualTo(200);
    assertThat(a.errorType()).isNull();
    return a.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(a.body());
  }

  /** Asserts a refusal: status 400, the type in the header and the body, and the message. */
  void refused(String method, String path, String body, String type, String message)
      throws Exception {
    SignedHttp.RestAnswer a = call(method, path, body);
    assertThat(a.status()).as(method + " " + path + ": " + a.body()).isEqualTo(400);
    assertThat(a.errorType()).isEqualTo(type);
    JsonNode b = JSON.readTree(a.body());
    assertThat(b.get("Code").asText()).isEqualTo(type);
    assertThat(b.get("Message").asText()).isEqualTo(message);
  }

  /** Polls {@code path} until {@code field} is one of {@code states} (30 s at most). */
  JsonNode await(String path, String field, String... states) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (true) {
      JsonNode j = ok("GET", path, null);
      JsonNode node = j;
      for (String part : field.split("\\.")) {
        node = node == null ? null : node.get(part);
      }
      if ((node != null && List.of(states).contains(node.asText()))
          || System.currentTimeMillis() > deadline) {
        return j;
      }
      Thread.sleep(20);
    }
  }

  static String enc(String label) {
    return URLEncoder.encode(label, StandardCharsets.UTF_8);
  }

  DynamoDbClient dynamo() {
    return DynamoDbClient.builder()
        .endpointOverride(URI.create(endpoint))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret)))
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  /** A table {@code name} keyed by {@code pk} holding {@code count} items. */
  void table(String name, int count) {
    try (DynamoDbClient ddb = dynamo()) {
      ddb.createTable(
          c ->
              c.tableName(name)
                  .attributeDefinitions(
                      AttributeDefinition.builder().attributeName("pk").attributeType("S").build())
                  .keySchema(KeySchemaElement.builder().attributeName("pk").keyType("HASH").build())
                  .billingMode("PAY_PER_REQUEST"));
      for (int i = 0; i < count; i++) {
        int n = i;
        ddb.putItem(
            p ->
                p.tableName(name)
                    .item(
                        java.util.Map.of(
                            "pk",
                            AttributeValue.fromS("item-" + n),
                            "n",
                            AttributeValue.fromN("" + n))));
      }
    }
  }

  /** Starts a backup job; the job as StartBackupJob answered it. */
  JsonNode startBackup(String vault, String tableArn, String role, String lifecycle)
      throws Exception {
    return ok(
        "PUT",
        "/backup-jobs",
        "{\"BackupVaultName\":\""
            + vault
            + "\",\"ResourceArn\":\""
            + tableArn
            + "\",\"IamRoleArn\":\""
            + role
            + "\""
            + (lifecycle == null ? "" : ",\"Lifecycle\":" + lifecycle)
            + "}");
  }

  /** Backs the table up and waits for COMPLETED; the recovery point's ARN. */
  String backedUp(String vault, String tableArn, String role, String lifecycle) throws Exception {
    JsonNode started = startBackup(vault, tableArn, role, lifecycle);
    JsonNode job =
        await(
            "/backup-jobs/" + started.get("BackupJobId").asText(), "State", "COMPLETED", "FAILED");
    assertThat(job.get("State").asText()).as(job.toString()).isEqualTo("COMPLETED");
    return job.get("RecoveryPointArn").asText();
  }
}
