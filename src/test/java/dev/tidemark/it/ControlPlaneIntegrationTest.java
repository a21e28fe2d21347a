package dev.tidemark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughput;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/** Table lifecycle through the AWS SDK v2 against a live in-process server. */
class ControlPlaneIntegrationTest {
  private static LiveServer server;
  private static DynamoDbClient ddb;

  @BeforeAll
  static void start() throws Exception {
    server = LiveServer.inMemory();
    ddb = server.client;
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static CreateTableRequest.Builder table(String name) {
    return CreateTableRequest.builder()
        .tableName(name)
        .attributeDefinitions(
            AttributeDefinition.builder()
                .attributeName("pk")
                .attributeType(ScalarAttributeType.S)
                .build(),
            AttributeDefinition.builder()
                .attributeName("sk")
                .attributeType(ScalarAttributeType.N)
                .build())
        .keySchema(
            KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
            KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build())
        .billingMode(BillingMode.PAY_PER_REQUEST);
  }

  // Protects the full TableDescription shape tools like Terraform read back after CreateTable.
  @Test
  void createAndDescribeReportDynamoDbShape() {
    TableDescription created =
        ddb.createTable(
                table("shape_table")
                    .globalSecondaryIndexes(
                        GlobalSecondaryIndex.builder()
                            .indexName("by_sk")
                            .keySchema(
                                KeySchemaElement.builder()
                                    .attributeName("sk")
                                    .keyType(KeyType.HASH)
                                    .build())
                            .projection(p -> p.projectionType(ProjectionType.KEYS_ONLY))
                            .build())
                    .deletionProtectionEnabled(true)
                    .build())
            .tableDescription();
    assertThat(created.tableStatus()).isEqualTo(TableStatus.ACTIVE);
    TableDescription d = ddb.describeTable(r -> r.tableName("shape_table")).table();
    assertThat(d.tableArn()).isEqualTo("arn:aws:dynamodb:us-east-1:000000000000:table/shape_table");
    assertThat(d.tableId()).matches("[0-9a-f-]{36}");
    assertThat(d.itemCount()).isZero();
    assertThat(d.tableSizeBytes()).isZero();
    assertThat(d.creationDateTime()).isNotNull();
    assertThat(d.deletionProtectionEnabled()).isTrue();
    assertThat(d.billingModeSummary().billingMode()).isEqualTo(BillingMode.PAY_PER_REQUEST);
    assertThat(d.globalSecondaryIndexes()).hasSize(1);
    assertThat(d.globalSecondaryIndexes().get(0).indexArn())
        .isEqualTo("arn:aws:dynamodb:us-east-1:000000000000:table/shape_table/index/by_sk");
    assertThat(d.keySchema())
        .extracting(KeySchemaElement::attributeName)
        .containsExactly("pk", "sk");
    // TableName may be an ARN.
    assertThat(ddb.describeTable(r -> r.tableName(d.tableArn())).table().tableId())
        .isEqualTo(d.tableId());
  }

  // Protects deletion protection: DynamoDB's exact refusal, and the data survives the attempt.
  @Test
  void deletionProtectionRefusesDeleteAndKeepsData() {
    ddb.createTable(table("protected_table").deletionProtectionEnabled(true).build());
    ddb.putItem(
        r ->
            r.tableName("protected_table")
                .item(Map.of("pk", AttributeValue.fromS("a"), "sk", AttributeValue.fromN("1"))));
    DynamoDbException e =
        catchThrowableOfType(
            DynamoDbException.class, () -> ddb.deleteTable(r -> r.tableName("protected_table")));
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
    assertThat(e.awsErrorDetails().errorMessage())
        .isEqualTo(
            "Resource cannot be deleted as it is currently protected against deletion. Disable"
                + " deletion protection first.");
    assertThat(ddb.scan(r -> r.tableName("protected_table")).count()).isEqualTo(1);
    ddb.updateTable(r -> r.tableName("protected_table").deletionProtectionEnabled(false));
    ddb.deleteTable(r -> r.tableName("protected_table"));
    assertThat(ddb.listTables().tableNames()).doesNotContain("protected_table");
  }

  // Protects table incarnations: re-creating a deleted table starts empty with a new TableId.
  @Test
  void recreatedTableIsANewIncarnation() {
    String id1 = ddb.createTable(table("reborn").build()).tableDescription().tableId();
    ddb.putItem(
        r ->
            r.tableName("reborn")
                .item(Map.of("pk", AttributeValue.fromS("a"), "sk", AttributeValue.fromN("1"))));
    ddb.deleteTable(r -> r.tableName("reborn"));
    String id2 = ddb.createTable(table("reborn").build()).tableDescription().tableId();
    assertThat(id2).isNotEqualTo(id1);
    assertThat(ddb.scan(r -> r.tableName("reborn")).count()).isZero();
  }

  // Protects ListTables paging with Limit and ExclusiveStartTableName.
  @Test
  void listTablesPages() {
    for (int i = 0; i < 5; i++) {
      ddb.createTable(table("page_" + i).build());
    }
    List<String> seen = new ArrayList<>();
    String start = "page_";
    while (true) {
      String from = start;
      var page = ddb.listTables(r -> r.limit(2).exclusiveStartTableName(from));
      page.tableNames().stream().filter(n -> n.startsWith("page_")).forEach(seen::add);
      if (page.lastEvaluatedTableName() == null) {
        break;
      }
      start = page.lastEvaluatedTableName();
    }
    assertThat(seen).containsExactly("page_0", "page_1", "page_2", "page_3", "page_4");
  }

  // Protects DynamoDB's errors for duplicates, unknown tables and bad names, verbatim.
  @Test
  void controlPlaneErrorsMatchDynamoDb() {
    ddb.createTable(table("dup_table").build());
    ResourceInUseException inUse =
        catchThrowableOfType(
            ResourceInUseException.class, () -> ddb.createTable(table("dup_table").build()));
    assertThat(inUse.awsErrorDetails().errorMessage()).isEqualTo("Table already exists: dup_table");
    ResourceNotFoundException missing =
        catchThrowableOfType(
            ResourceNotFoundException.class,
            () -> ddb.describeTable(r -> r.tableName("no_such_table")));
    assertThat(missing.awsErrorDetails().errorMessage())
        .isEqualTo("Requested resource not found: Table: no_such_table not found");
    DynamoDbException badName =
        catchThrowableOfType(DynamoDbException.class, () -> ddb.createTable(table("ab").build()));
    assertThat(badName.awsErrorDetails().errorMessage())
        .isEqualTo(
            "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint:"
                + " Member must have length greater than or equal to 3");
    DynamoDbException noThroughput =
        catchThrowableOfType(
            DynamoDbException.class,
            () -> ddb.createTable(table("no_pt").billingMode(BillingMode.PROVISIONED).build()));
    assertThat(noThroughput.awsErrorDetails().errorMessage())
        .isEqualTo(
            "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits"
                + " must both be specified when BillingMode is PROVISIONED");
    DynamoDbException undefinedKey =
        catchThrowableOfType(
            DynamoDbException.class,
            () ->
                ddb.createTable(
                    table("undef_key")
                        .attributeDefinitions(
                            AttributeDefinition.builder()
                                .attributeName("pk")
                                .attributeType(ScalarAttributeType.S)
                                .build())
                        .build()));
    assertThat(undefinedKey.awsErrorDetails().errorMessage())
        .isEqualTo(
            "One or more parameter values were invalid: Some index key attributes are not defined"
                + " in AttributeDefinitions. Keys: [sk], AttributeDefinitions: [pk]");
  }

  // Protects UpdateTable of billing mode and throughput, reported back by DescribeTable.
  @Test
  void updateTableChangesCapacity() {
    ddb.createTable(
        table("cap_table")
            .billingMode(BillingMode.PROVISIONED)
            .provisionedThroughput(
                ProvisionedThroughput.builder()
                    .readCapacityUnits(5L)
                    .writeCapacityUnits(5L)
                    .build())
            .build());
    ddb.updateTable(
        r ->
            r.tableName("cap_table")
                .provisionedThroughput(p -> p.readCapacityUnits(10L).writeCapacityUnits(7L)));
    TableDescription d = ddb.describeTable(r -> r.tableName("cap_table")).table();
    assertThat(d.provisionedThroughput().readCapacityUnits()).isEqualTo(10L);
    assertThat(d.provisionedThroughput().writeCapacityUnits()).isEqualTo(7L);
    ddb.updateTable(r -> r.tableName("cap_table").billingMode(BillingMode.PAY_PER_REQUEST));
    assertThat(
            ddb.describeTable(r -> r.tableName("cap_table"))
                .table()
                .billingModeSummary()
                .billingMode())
        .isEqualTo(BillingMode.PAY_PER_REQUEST);
  }

  // Protects durability of the catalog and items across a clean restart on disk.
  @Test
  void tablesAndItemsSurviveRestart(@TempDir Path dir) throws Exception {
    try (LiveServer s = LiveServer.onDisk(dir.resolve("data"))) {
      s.client.createTable(table("durable").build());
      s.client.putItem(
          r ->
              r.tableName("durable")
                  .item(
                      Map.of(
                          "pk",
                          AttributeValue.fromS("k"),
                          "sk",
                          AttributeValue.fromN("1"),
                          "v",
                          AttributeValue.fromS("x"))));
    }
    try (LiveServer s = LiveServer.onDisk(dir.resolve("data"))) {
      assertThat(s.client.listTables().tableNames()).containsExactly("durable");
      var item =
          s.client
              .getItem(
                  r ->
                      r.tableName("durable")
                          .key(
                              Map.of(
                                  "pk",
                                  AttributeValue.fromS("k"),
                                  "sk",
                                  AttributeValue.fromN("1"))))
              .item();
      assertThat(item.get("v").s()).isEqualTo("x");
      assertThat(s.client.describeTable(r -> r.tableName("durable")).table().itemCount())
          .isEqualTo(1);
    }
  }
}
