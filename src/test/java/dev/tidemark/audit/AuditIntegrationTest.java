package dev.tidemark.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.cli.Bootstrap;
import dev.tidemark.cli.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * Protects the audit trail end to end in IAM mode, through the AWS SDK: an allowed CreateTable and
 * a refused DeleteBackup are on disk, with identity, key, source address, action, resources,
 * outcome and error, the moment their answers arrive; a wrong signature on a data-plane request is
 * recorded as unauthenticated under the key it claimed, while an allowed PutItem is not recorded;
 * IAM changes are recorded; and {@code tidemark audit} filters by identity, action, table and time,
 * as text and as JSON lines.
 */
class AuditIntegrationTest {
  private static final String ACCOUNT = "123456789012";
  private static final String TABLE_ARN =
      "arn:aws:dynamodb:us-east-1:" + ACCOUNT + ":table/Audited";
  private static final String POLICY =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
          + "\"dynamodb:CreateTable\",\"dynamodb:CreateBackup\",\"dynamodb:PutItem\"],"
          + "\"Resource\":\""
          + TABLE_ARN
          + "\"}]}";

  @TempDir Path dir;

  @Test
  void controlPlaneActionsAndRefusalsAreRecordedAndFiltered() throws Exception {
    ServerConfig config = dev.tidemark.testkit.IamServerConfig.of(dir, ACCOUNT);
    Path audit = dir.resolve("data").resolve("audit");
    Bootstrap.Running server = Bootstrap.start(config);
    try {
      String[] admin =
          dev.tidemark.testkit.IamServerConfig.adminKey(dir.resolve("admin.credentials"));
      String bobArn = "arn:aws:iam::" + ACCOUNT + ":user/bob";
      String bobKey;
      String backupArn;
      try (IamClient iam =
          IamClient.builder()
              .endpointOverride(URI.create(server.endpoint()))
              .region(Region.US_EAST_1)
              .credentialsProvider(creds(admin[0], admin[1]))
              .httpClient(UrlConnectionHttpClient.create())
              .build()) {
        iam.createUser(r -> r.userName("bob"));
        iam.putUserPolicy(r -> r.userName("bob").policyName("p").policyDocument(POLICY));
        var key = iam.createAccessKey(r -> r.userName("bob")).accessKey();
        bobKey = key.accessKeyId();
        try (DynamoDbClient bob = dynamo(server.endpoint(), bobKey, key.secretAccessKey());
            DynamoDbClient forged = dynamo(server.endpoint(), bobKey, "not-the-secret")) {
          bob.createTable(
              r ->
                  r.tableName("Audited")
                      .billingMode("PAY_PER_REQUEST")
                      .attributeDefinitions(
                          AttributeDefinition.builder()
                              .attributeName("pk")
                              .attributeType("S")
                              .build())
                      .keySchema(
                          KeySchemaElement.builder().attributeName("pk").keyType("HASH").build()));
          // Durable before the answer: read at once, no waiting.
          AuditRecord created = only(read(audit), "dynamodb:CreateTable");
          assertThat(created.identity()).isEqualTo(bobArn);
          assertThat(created.accessKeyId()).isEqualTo(bobKey);
          assertThat(created.verified()).isTrue();
          assertThat(created.sourceIp()).isEqualTo("127.0.0.1");
          assertThat(created.secure()).isFalse();
          assertThat(created.resources()).containsExactly(TABLE_ARN);
          assertThat(created.outcome()).isEqualTo(AuditRecord.Outcome.Success);
          assertThat(created.errorType()).isNull();

          bob.putItem(r -> r.tableName("Audited").item(Map.of("pk", AttributeValue.fromS("a"))));
          backupArn =
              bob.createBackup(r -> r.tableName("Audited").backupName("bkp-1"))
                  .backupDetails()
                  .backupArn();
          String arn = backupArn;
          assertThatThrownBy(() -> bob.deleteBackup(r -> r.backupArn(arn)))
              .isInstanceOfSatisfying(
                  DynamoDbException.class,
                  e ->
                      assertThat(e.awsErrorDetails().errorCode())
                          .isEqualTo("AccessDeniedException"));
          AuditRecord denied = only(read(audit), "dynamodb:DeleteBackup");
          assertThat(denied.identity()).isEqualTo(bobArn);
          assertThat(denied.accessKeyId()).isEqualTo(bobKey);
          assertThat(denied.verified()).isTrue();
          assertThat(denied.sourceIp()).isEqualTo("127.0.0.1");
          assertThat(denied.resources()).containsExactly(backupArn);
          assertThat(denied.outcome()).isEqualTo(AuditRecord.Outcome.Denied);
          assertThat(denied.errorType()).isEqualTo("AccessDeniedException");
          assertThat(denied.errorMessage())
              .isEqualTo(
                  "User: "
                      + bobArn
                      + " is not authorized to perform: dynamodb:DeleteBackup on resource: "
                      + backupArn
                      + " because no identity-based policy allows the dynamodb:DeleteBackup action");

          assertThatThrownBy(
                  () ->
                      forged.getItem(
                          r -> r.tableName("Audited").key(Map.of("pk", AttributeValue.fromS("a")))))
              .isInstanceOf(DynamoDbException.class);
          server.close(); // closing the trail syncs what is queued (refusals are not waited for)
        }
      }
      List<AuditRecord> all = read(audit);
      assertThat(all).extracting(AuditRecord::action).doesNotContain("dynamodb:PutItem");
      AuditRecord forgedGet = only(all, "dynamodb:GetItem");
      assertThat(forgedGet.outcome()).isEqualTo(AuditRecord.Outcome.Unauthenticated);
      assertThat(forgedGet.errorType()).isEqualTo("InvalidSignatureException");
      assertThat(forgedGet.identity()).isEqualTo(bobArn);
      assertThat(forgedGet.verified()).isFalse();
      assertThat(forgedGet.resources()).containsExactly(TABLE_ARN);
      AuditRecord createdUser = only(all, "iam:CreateUser");
      assertThat(createdUser.identity()).isEqualTo("arn:aws:iam::" + ACCOUNT + ":root");
      assertThat(createdUser.resources()).containsExactly(bobArn);
      assertThat(only(all, "iam:PutUserPolicy").resources()).containsExactly(bobArn);
      assertThat(only(all, "dynamodb:CreateBackup").outcome())
          .isEqualTo(AuditRecord.Outcome.Success);

      // tidemark audit: filters and output forms.
      String json =
          audit(
              "--audit-dir",
              audit.toString(),
              "--identity",
              "bob",
              "--action",
              "DeleteBackup",
              "--json");
      assertThat(json.lines().toList()).hasSize(1);
      assertThat(AuditRecord.parse(json.strip())).isEqualTo(only(all, "dynamodb:DeleteBackup"));
      assertThat(
              audit("--data-dir", dir.resolve("data").toString(), "--table", "Audited", "--json")
                  .lines()
                  .map(AuditRecord::parse)
                  .map(AuditRecord::action))
          .containsExactly(
              "dynamodb:CreateTable",
              "dynamodb:CreateBackup",
              "dynamodb:DeleteBackup",
              "dynamodb:GetItem");
      assertThat(
              audit("--audit-dir", audit.toString(), "--identity", bobKey, "--json")
                  .lines()
                  .count())
          .isEqualTo(4);
      String text = audit("--audit-dir", audit.toString(), "--action", "iam:createuser");
      assertThat(text.lines().toList()).hasSize(1);
      assertThat(text)
          .contains("Success", "iam:CreateUser", "arn:aws:iam::" + ACCOUNT + ":root", bobArn);
      assertThat(audit("--audit-dir", audit.toString(), "--since", "1h", "--json").lines().count())
          .isEqualTo(all.size());
      assertThat(audit("--audit-dir", audit.toString(), "--until", "1h", "--json")).isEmpty();
      assertThat(audit("--audit-dir", audit.toString(), "--since", "2999-01-01T00:00:00Z"))
          .isEmpty();
    } finally {
      server.close();
    }
  }

  private static String audit(String... args) {
    StringWriter out = new StringWriter();
    picocli.CommandLine cli = dev.tidemark.cli.Main.commandLine();
    cli.setOut(new PrintWriter(out));
    List<String> all = new ArrayList<>(List.of("audit"));
    all.addAll(List.of(args));
    assertThat(cli.execute(all.toArray(String[]::new))).isZero();
    return out.toString();
  }

  private static List<AuditRecord> read(Path audit) throws Exception {
    List<AuditRecord> out = new ArrayList<>();
    AuditReader.read(audit, AuditReader.Filter.ALL, out::add, null);
    return out;
  }

  private static AuditRecord only(List<AuditRecord> records, String action) {
    List<AuditRecord> matching = records.stream().filter(r -> r.action().equals(action)).toList();
    assertThat(matching).as("records of " + action + " in " + records).hasSize(1);
    return matching.get(0);
  }

  private static StaticCredentialsProvider creds(String id, String secret) {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret));
  }

  private static DynamoDbClient dynamo(String endpoint, String id, String secret) {
    return DynamoDbClient.builder()
        .endpointOverride(URI.create(endpoint))
        .region(Region.US_EAST_1)
        .credentialsProvider(creds(id, secret))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }
}
