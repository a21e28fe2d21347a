package dev.tidemark.awsbackup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.auth.SignedHttp;
import dev.tidemark.backup.store.BackupStoreSpec;
import dev.tidemark.cli.Bootstrap;
import dev.tidemark.cli.Main;
import dev.tidemark.cli.ServerConfig;
import dev.tidemark.replication.ReplicationConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
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
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.Tag;

/**
 * Protects restore testing through a live server, with requests signed for the {@code backup}
 * service as the AWS CLI signs them: a restore testing plan and selection are created (201) and
 * refused as AWS refuses them; at the plan's scheduled run (the server's AWS Backup clock is moved
 * to it) the latest recovery point of the tagged table is restored into an {@code
 * awsbackup-restore-test-*} table, checked against its manifest, kept for the caller's
 * PutRestoreValidationResult (204), and deleted, all visible on the restore job ({@code CreatedBy},
 * {@code ValidationStatus}, {@code DeletionStatus}) and in {@code tidemark backup tests} with its
 * RTO. Negative control: after the recovery point's data is corrupted in the store, the next run's
 * test is FAILED and leaves no table.
 */
class RestoreTestingIntegrationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ACCOUNT = "123456789012";
  private static final String TABLE_ARN = "arn:aws:dynamodb:us-east-1:" + ACCOUNT + ":table/Orders";
  private static final String ROLE = "arn:aws:iam::" + ACCOUNT + ":role/restore-test";

  @TempDir Path dir;
  Bootstrap.Running server;
  final AtomicLong offset = new AtomicLong();

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  SignedHttp.RestAnswer call(String method, String path, String body) throws Exception {
    return SignedHttp.rest(server.endpoint(), "AKIDEXAMPLE", "secret", method, path, body);
  }

  JsonNode answer(int status, String method, String path, String body) throws Exception {
    SignedHttp.RestAnswer a = call(method, path, body);
    assertThat(a.status()).as(method + " " + path + ": " + a.body()).isEqualTo(status);
    assertThat(a.errorType()).isNull();
    return a.body().isEmpty() ? null : JSON.readTree(a.body());
  }

  void refused(SignedHttp.RestAnswer a, String type, String messagePart) throws Exception {
    assertThat(a.status()).as(a.body()).isEqualTo(400);
    assertThat(a.errorType()).isEqualTo(type);
    assertThat(JSON.readTree(a.body()).get("Message").asText()).contains(messagePart);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Polls until {@code done} holds of the restore testing plan's only restore job. */
  JsonNode awaitTest(String planArn, int index, java.util.function.Predicate<JsonNode> done)
      throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    JsonNode job = null;
    while (System.currentTimeMillis() < deadline) {
      JsonNode jobs =
          answer(200, "GET", "/restore-jobs/?restoreTestingPlanArn=" + enc(planArn), null)
              .get("RestoreJobs");
      if (jobs.size() > index) {
        job = jobs.get(index);
        if (done.test(job)) {
          return job;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("restore test not done in time: " + job);
  }

  /** Moves the server's AWS Backup clock to one minute past the next 03:00 UTC. */
  void moveToNextRun() {
    offset.addAndGet(
        dev.tidemark.testkit.ScheduledRun.untilNext0301(System.currentTimeMillis() + offset.get()));
  }

  @Test
  void aRestoreTestRestoresValidatesRecordsItsRtoAndDeletesItsTable() throws Exception {
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
            () -> System.currentTimeMillis() + offset.get());
    DynamoDbClient dynamo =
        DynamoDbClient.builder()
            .endpointOverride(URI.create(server.endpoint()))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create("AKIDEXAMPLE", "secret")))
            .httpClient(UrlConnectionHttpClient.create())
            .build();
    dynamo.createTable(
        b ->
            b.tableName("Orders")
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType("HASH").build())
                .attributeDefinitions(
                    AttributeDefinition.builder()
                        .attributeName("pk")
                        .attributeType(ScalarAttributeType.S)
                        .build())
                .billingMode("PAY_PER_REQUEST")
                .tags(Tag.builder().key("restore-test").value("yes").build()));
    for (int i = 0; i < 50; i++) {
      int n = i;
      dynamo.putItem(
          b ->
              b.tableName("Orders")
                  .item(
                      Map.of(
                          "pk", AttributeValue.fromS("order-" + n),
                          "total", AttributeValue.fromN(Integer.toString(n * 7)))));
    }
    JsonNode job =
        answer(
            200,
            "PUT",
            "/backup-jobs",
            "{\"BackupVaultName\":\"Default\",\"ResourceArn\":\""
                + TABLE_ARN
                + "\",\"IamRoleArn\":\""
                + ROLE
                + "\"}");
    long deadline = System.currentTimeMillis() + 30_000;
    while (!answer(200, "GET", "/backup-jobs/" + job.get("BackupJobId").asText(), null)
            .get("State")
            .asText()
            .equals("COMPLETED")
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }

    // The plan and its selection, and AWS's refusals.
    String selectionBody =
        "{\"RestoreTestingPlan\":{\"RestoreTestingPlanName\":\"nightly\","
            + "\"ScheduleExpression\":\"cron(0 3 ? * * *)\",\"RecoveryPointSelection\":"
            + "{\"Algorithm\":\"%s\",\"IncludeVaults\":[\"*\"],"
            + "\"RecoveryPointTypes\":[\"SNAPSHOT\"],\"SelectionWindowDays\":7}}}";
    refused(
        call("PUT", "/restore-testing/plans", String.format(selectionBody, "NEWEST")),
        "InvalidParameterValueException",
        "LATEST_WITHIN_WINDOW and RANDOM_WITHIN_WINDOW");
    JsonNode created =
        answer(
            201,
            "PUT",
            "/restore-testing/plans",
            String.format(selectionBody, "LATEST_WITHIN_WINDOW"));
    String planArn = created.get("RestoreTestingPlanArn").asText();
    assertThat(planArn)
        .startsWith("arn:aws:backup:us-east-1:" + ACCOUNT + ":restore-testing-plan:nightly-");
    refused(
        call("PUT", "/restore-testing/plans", String.format(selectionBody, "LATEST_WITHIN_WINDOW")),
        "AlreadyExistsException",
        "already exists");
    JsonNode plan = answer(200, "GET", "/restore-testing/plans/nightly", null);
    assertThat(plan.at("/RestoreTestingPlan/StartWindowHours").asInt()).isEqualTo(24);
    assertThat(plan.at("/RestoreTestingPlan/RecoveryPointSelection/Algorithm").asText())
        .isEqualTo("LATEST_WITHIN_WINDOW");
    assertThat(
            answer(200, "GET", "/restore-testing/plans?MaxResults=10", null)
                .get("RestoreTestingPlans"))
        .hasSize(1);
    refused(
        call(
            "PUT",
            "/restore-testing/plans/nightly/selections",
            "{\"RestoreTestingSelection\":{\"RestoreTestingSelectionName\":\"orders\","
                + "\"ProtectedResourceType\":\"DynamoDB\"}}"),
        "MissingParameterValueException",
        "IamRoleArn");
    answer(
        201,
        "PUT",
        "/restore-testing/plans/nightly/selections",
        "{\"RestoreTestingSelection\":{\"RestoreTestingSelectionName\":\"orders\","
            + "\"ProtectedResourceType\":\"DynamoDB\",\"IamRoleArn\":\""
            + ROLE
            + "\",\"ProtectedResourceArns\":[\"*\"],\"ProtectedResourceConditions\":"
            + "{\"StringEquals\":[{\"Key\":\"aws:ResourceTag/restore-test\",\"Value\":\"yes\"}]},"
            + "\"ValidationWindowHours\":1}}");
    assertThat(
            answer(200, "GET", "/restore-testing/plans/nightly/selections/orders", null)
                .at("/RestoreTestingSelection/ValidationWindowHours")
                .asInt())
        .isEqualTo(1);
    refused(
        call("DELETE", "/restore-testing/plans/nightly", null),
        "InvalidRequestException",
        "delete them before");

    // The scheduled run: restored, checked, then kept for the caller's validation.
    moveToNextRun();
    JsonNode waiting =
        awaitTest(planArn, 0, j -> "VALIDATING".equals(j.path("ValidationStatus").asText()));
    String jobId = waiting.get("RestoreJobId").asText();
    assertThat(waiting.get("Status").asText()).isEqualTo("COMPLETED");
    assertThat(waiting.at("/CreatedBy/RestoreTestingPlanArn").asText()).isEqualTo(planArn);
    assertThat(waiting.get("ValidationStatusMessage").asText())
        .isEqualTo(
            "Item count (50) and sha256-items-v1 checksum match the recovery point's manifest.");
    String restored =
        answer(200, "GET", "/restore-jobs/" + jobId + "/metadata", null)
            .at("/Metadata/targetTableName")
            .asText();
    assertThat(restored).startsWith("awsbackup-restore-test-");
    assertThat(waiting.get("CreatedResourceArn").asText()).endsWith(":table/" + restored);
    assertThat(dynamo.scan(b -> b.tableName(restored)).count()).isEqualTo(50);
    refused(
        call("PUT", "/restore-jobs/" + jobId + "/validations", "{\"ValidationStatus\":\"OK\"}"),
        "InvalidParameterValueException",
        "Invalid ValidationStatus");
    answer(
        204,
        "PUT",
        "/restore-jobs/" + jobId + "/validations",
        "{\"ValidationStatus\":\"SUCCESSFUL\",\"ValidationStatusMessage\":\"orders reconcile\"}");
    JsonNode done =
        awaitTest(planArn, 0, j -> "SUCCESSFUL".equals(j.path("DeletionStatus").asText()));
    assertThat(done.get("ValidationStatus").asText()).isEqualTo("SUCCESSFUL");
    assertThat(done.get("ValidationStatusMessage").asText()).isEqualTo("orders reconcile");
    assertThatThrownBy(() -> dynamo.describeTable(b -> b.tableName(restored)))
        .isInstanceOf(ResourceNotFoundException.class);
    // The window is closed now.
    refused(
        call("PUT", "/restore-jobs/" + jobId + "/validations", "{\"ValidationStatus\":\"FAILED\"}"),
        "InvalidRequestException",
        "not awaiting validation");
    assertThat(
            answer(200, "GET", "/resources/" + enc(TABLE_ARN) + "/restore-jobs/", null)
                .get("RestoreJobs"))
        .extracting(j -> j.get("RestoreJobId").asText())
        .containsExactly(jobId);

    // Negative control: the point's data corrupted in the store fails the next run's test.
    try (Stream<Path> files = Files.walk(dir.resolve("backups").resolve("tables"))) {
      for (Path f :
          files.filter(p -> p.getParent().getFileName().toString().equals("data")).toList()) {
        byte[] raw = Files.readAllBytes(f);
        raw[raw.length / 2] ^= 0x5A;
        f.toFile().setWritable(true);
        Files.write(f, raw);
      }
    }
    moveToNextRun();
    JsonNode failed =
        awaitTest(planArn, 1, j -> "FAILED".equals(j.path("ValidationStatus").asText()));
    assertThat(failed.get("Status").asText()).isEqualTo("FAILED");
    assertThat(failed.get("ValidationStatusMessage").asText()).startsWith("The restore failed");
    assertThat(dynamo.listTables().tableNames()).containsExactly("Orders");

    // tidemark backup tests: both, with the first one's RTO.
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      code =
          Main.commandLine().execute("backup", "tests", "--endpoint", server.endpoint(), "--json");
    } finally {
      System.setOut(stdout);
    }
    assertThat(code).isZero();
    JsonNode history = JSON.readTree(captured.toString(StandardCharsets.UTF_8));
    assertThat(history).hasSize(2);
    assertThat(history.get(0).get("plan").asText()).isEqualTo("nightly");
    assertThat(history.get(0).get("validationStatus").asText()).isEqualTo("SUCCESSFUL");
    assertThat(history.get(0).get("deletionStatus").asText()).isEqualTo("SUCCESSFUL");
    assertThat(history.get(0).get("rtoSeconds").decimalValue().signum()).isNotNegative();
    assertThat(history.get(1).get("validationStatus").asText()).isEqualTo("FAILED");
    assertThat(history.get(1).get("rtoSeconds").isNull()).isTrue();
    assertThat(List.of(history.get(0).get("sourceTable").asText())).containsExactly("Orders");
  }
}
