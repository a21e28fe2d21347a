package dev.tidemark.awsbackup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.auth.SignedHttp;
import dev.tidemark.backup.store.BackupStoreSpec;
import dev.tidemark.cli.Bootstrap;
import dev.tidemark.cli.ServerConfig;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BackupTypeFilter;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Protects the AWS Backup front through a live server, with requests signed by the SDK's SigV4
 * signer for the {@code backup} service (the SDK's Backup client is not available here): the
 * restJson1 routes with ARNs percent-encoded in paths ({@code %3A}, {@code %2F}), AWS's error types
 * in {@code x-amzn-ErrorType}, empty 200 answers, paging, idempotency tokens, and the whole cycle
 * vault, backup job, recovery point, restore job, compared item by item with the source table; then
 * that vaults, jobs and points survive a restart, and that a new data directory over the same
 * backup store finds its recovery points again.
 */
class BackupApiIntegrationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ACCOUNT = "123456789012";
  private static final String TABLE_ARN = "arn:aws:dynamodb:us-east-1:" + ACCOUNT + ":table/";
  private static final String ROLE = "arn:aws:iam::" + ACCOUNT + ":role/backup";

  @TempDir Path dir;
  Bootstrap.Running server;

  ServerConfig config(String data) {
    return new ServerConfig(
        "127.0.0.1",
        0,
        dir.resolve(data),
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
        null);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  SignedHttp.RestAnswer call(String method, String path, String body) throws Exception {
    return SignedHttp.rest(server.endpoint(), "AKIDEXAMPLE", "secret", method, path, body);
  }

  JsonNode ok(String method, String path, String body) throws Exception {
    SignedHttp.RestAnswer a = call(method, path, body);
    assertThat(a.status()).as(method + " " + path + ": " + a.body()).isEqualTo(200);
    assertThat(a.errorType()).isNull();
    return a.body().isEmpty() ? null : JSON.readTree(a.body());
  }

  /** Asserts a refusal: status 400, the type in the header and the body, and the message. */
  void refused(SignedHttp.RestAnswer a, String type, String message) throws Exception {
    assertThat(a.status()).as(a.body()).isEqualTo(400);
    assertThat(a.errorType()).isEqualTo(type);
    JsonNode body = JSON.readTree(a.body());
    assertThat(body.get("Code").asText()).isEqualTo(type);
    assertThat(body.get("Message").asText()).isEqualTo(message);
  }

  static String enc(String label) {
    return URLEncoder.encode(label, StandardCharsets.UTF_8);
  }

  DynamoDbClient dynamo() {
    return DynamoDbClient.builder()
        .endpointOverride(URI.create(server.endpoint()))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")))
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  JsonNode await(String path, String field, String... finalStates) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (true) {
      JsonNode j = ok("GET", path, null);
      if (List.of(finalStates).contains(j.get(field).asText())
          || System.currentTimeMillis() > deadline) {
        return j;
      }
      Thread.sleep(20);
    }
  }

  // Vaults: Default exists, create/describe/list/delete, AWS's refusals, idempotent retries, tags.
  @Test
  void vaults() throws Exception {
    server = Bootstrap.start(config("data"));
    assertThat(ok("GET", "/backup-vaults/Default", null).get("BackupVaultArn").asText())
        .isEqualTo("arn:aws:backup:us-east-1:" + ACCOUNT + ":backup-vault:Default");
    JsonNode created =
        ok(
            "PUT",
            "/backup-vaults/daily",
            "{\"BackupVaultTags\":{\"team\":\"db\"},\"CreatorRequestId\":\"req-1\"}");
    assertThat(created.get("BackupVaultName").asText()).isEqualTo("daily");
    // The SDKs resend their generated token on a retry: the first answer again.
    assertThat(ok("PUT", "/backup-vaults/daily", "{\"CreatorRequestId\":\"req-1\"}"))
        .isEqualTo(created);
    SignedHttp.RestAnswer twice =
        call("PUT", "/backup-vaults/daily", "{\"CreatorRequestId\":\"x\"}");
    refused(twice, "AlreadyExistsException", "Backup vault with the same name already exists");
    assertThat(JSON.readTree(twice.body()).get("Arn").asText()).endsWith(":backup-vault:daily");
    refused(
        call("GET", "/backup-vaults/nope", null),
        "ResourceNotFoundException",
        "Backup vault nope does not exist.");
    refused(
        call("PUT", "/backup-vaults/a", "{}"),
        "InvalidParameterValueException",
        "Backup vault name must be 2 to 50 characters: letters, digits, hyphens and"
            + " underscores.");
    ok("PUT", "/backup-vaults/weekly", "{}");
    List<String> names = new ArrayList<>();
    String token = null;
    do {
      JsonNode page =
          ok(
              "GET",
              "/backup-vaults/?maxResults=1" + (token == null ? "" : "&nextToken=" + enc(token)),
              null);
      assertThat(page.get("BackupVaultList")).hasSize(1);
      page.get("BackupVaultList").forEach(v -> names.add(v.get("BackupVaultName").asText()));
      token = page.has("NextToken") ? page.get("NextToken").asText() : null;
    } while (token != null);
    assertThat(names).containsExactly("Default", "daily", "weekly");
    String arn = enc("arn:aws:backup:us-east-1:" + ACCOUNT + ":backup-vault:daily");
    assertThat(ok("POST", "/tags/" + arn, "{\"Tags\":{\"env\":\"prod\"}}")).isNull();
    assertThat(ok("POST", "/untag/" + arn, "{\"TagKeyList\":[\"team\"]}")).isNull();
    assertThat(ok("GET", "/tags/" + arn + "/", null).get("Tags"))
        .isEqualTo(JSON.readTree("{\"env\":\"prod\"}"));
    assertThat(ok("DELETE", "/backup-vaults/weekly", null)).isNull();
    refused(
        call("GET", "/backup-vaults/weekly", null),
        "ResourceNotFoundException",
        "Backup vault weekly does not exist.");
    refused(
        call("PUT", "/backup-jobs", "{\"BackupVaultName\":\"daily\"}"),
        "MissingParameterValueException",
        "Missing required parameter: ResourceArn.");
  }

  // Plans and selections over the wire: AWS's rule error wording, versions, the runs preview,
  // deletion refused while a selection exists.
  @Test
  void plansAndSelections() throws Exception {
    server = Bootstrap.start(config("data"));
    refused(
        call(
            "PUT",
            "/backup/plans/",
            "{\"BackupPlan\":{\"BackupPlanName\":\"p\",\"Rules\":[{\"RuleName\":\"Yearly\","
                + "\"TargetBackupVaultName\":\"Default\",\"Lifecycle\":{\"MoveToColdStorageAfterDays\":"
                + "30,\"DeleteAfterDays\":60}}]}}"),
        "InvalidParameterValueException",
        "Error in rule Yearly : Invalid lifecycle. DeleteAfterDays cannot be less than 90 days"
            + " apart from MoveToColdStorageAfterDays");
    String plan =
        "{\"BackupPlan\":{\"BackupPlanName\":\"daily\",\"Rules\":[{\"RuleName\":\"d\","
            + "\"TargetBackupVaultName\":\"Default\",\"ScheduleExpression\":\"cron(0 5 ? * * *)\","
            + "\"ScheduleExpressionTimezone\":\"Europe/Paris\",\"Lifecycle\":{\"DeleteAfterDays\":30}}]}}";
    JsonNode created = ok("PUT", "/backup/plans/", plan);
    String id = created.get("BackupPlanId").asText();
    assertThat(created.get("BackupPlanArn").asText())
        .isEqualTo("arn:aws:backup:us-east-1:" + ACCOUNT + ":backup-plan:" + id);
    JsonNode got = ok("GET", "/backup/plans/" + id + "/?MaxScheduledRunsPreview=3", null);
    assertThat(got.get("BackupPlan").get("Rules").get(0).get("StartWindowMinutes").asInt())
        .isEqualTo(480);
    assertThat(got.get("ScheduledRunsPreview")).hasSize(3);
    long first = got.get("ScheduledRunsPreview").get(0).get("ExecutionTime").asLong() * 1000;
    assertThat(
            java.time.Instant.ofEpochMilli(first)
                .atZone(java.time.ZoneId.of("Europe/Paris"))
                .getHour())
        .isEqualTo(5);
    JsonNode updated = ok("POST", "/backup/plans/" + id, plan.replace("daily", "daily-v2"));
    assertThat(updated.get("VersionId")).isNotEqualTo(created.get("VersionId"));
    assertThat(
            ok(
                    "GET",
                    "/backup/plans/" + id + "/?versionId=" + enc(created.get("VersionId").asText()),
                    null)
                .get("BackupPlan")
                .get("BackupPlanName")
                .asText())
        .isEqualTo("daily");
    String selection =
        ok(
                "PUT",
                "/backup/plans/" + id + "/selections/",
                "{\"BackupSelection\":{\"SelectionName\":\"prod\",\"IamRoleArn\":\""
                    + ROLE
                    + "\",\"Resources\":[\"arn:aws:dynamodb:*:*:table/*\"],\"Conditions\":{\"StringEquals\":"
                    + "[{\"ConditionKey\":\"aws:ResourceTag/env\",\"ConditionValue\":\"prod\"}]}}}")
            .get("SelectionId")
            .asText();
    assertThat(
            ok("GET", "/backup/plans/" + id + "/selections/" + selection, null)
                .get("BackupSelection")
                .get("Conditions")
                .get("StringEquals")
                .get(0)
                .get("ConditionKey")
                .asText())
        .isEqualTo("aws:ResourceTag/env");
    assertThat(ok("GET", "/backup/plans/" + id + "/selections/", null).get("BackupSelectionsList"))
        .hasSize(1);
    refused(
        call("DELETE", "/backup/plans/" + id, null),
        "InvalidRequestException",
        "Related backup plan selections must be deleted prior to backup plan deletion");
    assertThat(ok("DELETE", "/backup/plans/" + id + "/selections/" + selection, null)).isNull();
    assertThat(ok("DELETE", "/backup/plans/" + id, null).has("DeletionDate")).isTrue();
    assertThat(ok("GET", "/backup/plans/", null).get("BackupPlansList")).isEmpty();
    assertThat(ok("GET", "/backup/plans/?includeDeleted=true", null).get("BackupPlansList"))
        .hasSize(1);
  }

  // The whole cycle, with the data compared; then restart and a new host over the same store.
  @Test
  void backupJobRecoveryPointAndRestore() throws Exception {
    server = Bootstrap.start(config("data"));
    Map<String, Map<String, AttributeValue>> items = new HashMap<>();
    try (DynamoDbClient ddb = dynamo()) {
      ddb.createTable(
          CreateTableRequest.builder()
              .tableName("Music")
              .attributeDefinitions(
                  AttributeDefinition.builder()
                      .attributeName("pk")
                      .attributeType(ScalarAttributeType.S)
                      .build())
              .keySchema(KeySchemaElement.builder().attributeName("pk").keyType("HASH").build())
              .billingMode("PAY_PER_REQUEST")
              .build());
      for (int i = 0; i < 50; i++) {
        Map<String, AttributeValue> item =
            Map.of("pk", AttributeValue.fromS("song-" + i), "plays", AttributeValue.fromN("" + i));
        ddb.putItem(p -> p.tableName("Music").item(item));
        items.put("song-" + i, item);
      }
    }
    ok("PUT", "/backup-vaults/daily", "{}");
    refused(
        call(
            "PUT",
            "/backup-jobs",
            "{\"BackupVaultName\":\"daily\",\"ResourceArn\":\""
                + TABLE_ARN
                + "Music\",\"IamRoleArn\":\""
                + ROLE
                + "\",\"Lifecycle\":{\"MoveToColdStorageAfterDays\":30,\"DeleteAfterDays\":60}}"),
        "InvalidParameterValueException",
        "Invalid lifecycle. DeleteAfterDays cannot be less than 90 days apart from"
            + " MoveToColdStorageAfterDays");
    String start =
        "{\"BackupVaultName\":\"daily\",\"ResourceArn\":\""
            + TABLE_ARN
            + "Music\",\"IamRoleArn\":\""
            + ROLE
            + "\",\"IdempotencyToken\":\"t-1\",\"Lifecycle\":{\"DeleteAfterDays\":35}}";
    JsonNode started = ok("PUT", "/backup-jobs", start);
    assertThat(ok("PUT", "/backup-jobs", start).get("BackupJobId"))
        .isEqualTo(started.get("BackupJobId"));
    String jobId = started.get("BackupJobId").asText();
    String point = started.get("RecoveryPointArn").asText();
    assertThat(point).startsWith("arn:aws:backup:us-east-1:" + ACCOUNT + ":recovery-point:");
    JsonNode job = await("/backup-jobs/" + jobId, "State", "COMPLETED", "FAILED");
    assertThat(job.get("State").asText()).as(job.toString()).isEqualTo("COMPLETED");
    assertThat(job.get("RecoveryPointArn").asText()).isEqualTo(point);

    JsonNode rp = ok("GET", "/backup-vaults/daily/recovery-points/" + enc(point), null);
    assertThat(rp.get("Status").asText()).isEqualTo("COMPLETED");
    assertThat(rp.get("ResourceArn").asText()).isEqualTo(TABLE_ARN + "Music");
    assertThat(rp.get("BackupSizeInBytes").asLong()).isPositive();
    assertThat(rp.get("CalculatedLifecycle").get("DeleteAt").decimalValue())
        .isEqualTo(
            rp.get("CreationDate").decimalValue().add(java.math.BigDecimal.valueOf(35 * 86400)));
    // A table ARN in a path label arrives with %2F.
    JsonNode byResource =
        ok("GET", "/resources/" + enc(TABLE_ARN + "Music") + "/recovery-points/", null);
    assertThat(byResource.get("RecoveryPoints").get(0).get("RecoveryPointArn").asText())
        .isEqualTo(point);
    assertThat(
            ok("GET", "/backup-jobs/?state=COMPLETED&backupVaultName=daily", null)
                .get("BackupJobs"))
        .hasSize(1);
    assertThat(ok("GET", "/backup-jobs/?state=FAILED", null).get("BackupJobs")).isEmpty();
    refused(
        call("DELETE", "/backup-vaults/daily", null),
        "InvalidRequestException",
        "Backup vault cannot be deleted because it contains recovery points.");
    assertThat(
            ok(
                    "GET",
                    "/backup-vaults/daily/recovery-points/" + enc(point) + "/restore-metadata",
                    null)
                .get("RestoreMetadata")
                .get("originalTableName")
                .asText())
        .isEqualTo("Music");

    String restoreId =
        ok(
                "PUT",
                "/restore-jobs",
                "{\"RecoveryPointArn\":\""
                    + point
                    + "\",\"Metadata\":{\"targetTableName\":\"MusicRestored\"},\"IamRoleArn\":\""
                    + ROLE
                    + "\",\"ResourceType\":\"DynamoDB\"}")
            .get("RestoreJobId")
            .asText();
    JsonNode restore = await("/restore-jobs/" + restoreId, "Status", "COMPLETED", "FAILED");
    assertThat(restore.get("Status").asText()).as(restore.toString()).isEqualTo("COMPLETED");
    assertThat(restore.get("CreatedResourceArn").asText()).isEqualTo(TABLE_ARN + "MusicRestored");
    try (DynamoDbClient ddb = dynamo()) {
      Map<String, Map<String, AttributeValue>> restored = new HashMap<>();
      ddb.scanPaginator(s -> s.tableName("MusicRestored"))
          .items()
          .forEach(i -> restored.put(i.get("pk").s(), i));
      assertThat(restored).isEqualTo(items);
      // DynamoDB's own API has not listed AWS Backup's backups since 2022, not even for ALL.
      assertThat(ddb.listBackups(l -> l.backupType(BackupTypeFilter.ALL)).backupSummaries())
          .isEmpty();
    }
    // Never overwrites: a restore onto an existing table fails as a job.
    String clash =
        ok(
                "PUT",
                "/restore-jobs",
                "{\"RecoveryPointArn\":\""
                    + point
                    + "\",\"Metadata\":{\"targetTableName\":\"Music\"}}")
            .get("RestoreJobId")
            .asText();
    JsonNode failed = await("/restore-jobs/" + clash, "Status", "COMPLETED", "FAILED");
    assertThat(failed.get("Status").asText()).isEqualTo("FAILED");
    assertThat(failed.get("StatusMessage").asText()).isEqualTo("Table already exists: Music");

    // A restart keeps the vault, the job and the point.
    server.close();
    server = Bootstrap.start(config("data"));
    assertThat(ok("GET", "/backup-jobs/" + jobId, null).get("State").asText())
        .isEqualTo("COMPLETED");
    assertThat(ok("GET", "/backup-vaults/daily", null).get("NumberOfRecoveryPoints").asInt())
        .isEqualTo(1);

    // A new host (empty data directory) over the same backup store finds the point in its vault.
    server.close();
    server = Bootstrap.start(config("data-2"));
    JsonNode adopted = ok("GET", "/backup-vaults/daily/recovery-points/", null);
    assertThat(adopted.get("RecoveryPoints")).hasSize(1);
    assertThat(adopted.get("RecoveryPoints").get(0).get("RecoveryPointArn").asText())
        .isEqualTo(point);
    assertThat(ok("DELETE", "/backup-vaults/daily/recovery-points/" + enc(point), null)).isNull();
    refused(
        call("GET", "/backup-vaults/daily/recovery-points/" + enc(point), null),
        "ResourceNotFoundException",
        "Recovery point " + point + " does not exist.");
    assertThat(ok("DELETE", "/backup-vaults/daily", null)).isNull();
  }
}
