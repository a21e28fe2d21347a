package dev.tidemark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeLimitsResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.Endpoint;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.Tag;

/** Tagging, DescribeLimits and DescribeEndpoints through the AWS SDK v2. */
class TagsAndServiceCallsIntegrationTest {
  private static ClockedServer server;
  private static DynamoDbClient ddb;

  @BeforeAll
  static void start() throws Exception {
    server = new ClockedServer();
    ddb = server.client;
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String createTable(String name, Tag... tags) {
    return ddb.createTable(
            CreateTableRequest.builder()
                .tableName(name)
                .attributeDefinitions(
                    AttributeDefinition.builder()
                        .attributeName("pk")
                        .attributeType(ScalarAttributeType.S)
                        .build())
                .keySchema(
                    KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .tags(tags)
                .build())
        .tableDescription()
        .tableArn();
  }

  private static Tag tag(String k, String v) {
    return Tag.builder().key(k).value(v).build();
  }

  private static List<Tag> tags(String arn) {
    return ddb.listTagsOfResource(r -> r.resourceArn(arn)).tags();
  }

  private static DynamoDbException error(Runnable call) {
    return catchThrowableOfType(DynamoDbException.class, call::run);
  }

  // Protects the tag lifecycle: tags from CreateTable, overwrite by key, removal, unknown keys.
  @Test
  void tagsAreAddedReplacedAndRemoved() {
    String arn = createTable("tagged", tag("team", "core"));
    assertThat(tags(arn)).containsExactly(tag("team", "core"));
    ddb.tagResource(r -> r.resourceArn(arn).tags(tag("team", "data"), tag("env", "")));
    assertThat(tags(arn)).containsExactlyInAnyOrder(tag("team", "data"), tag("env", ""));
    ddb.untagResource(r -> r.resourceArn(arn).tagKeys("team", "never_set"));
    assertThat(tags(arn)).containsExactly(tag("env", ""));
    ddb.untagResource(r -> r.resourceArn(arn).tagKeys("env"));
    assertThat(tags(arn)).isEmpty();
  }

  // Protects DynamoDB's refusals for tagging requests, with its messages where they are known.
  @Test
  void taggingErrors() {
    String arn = createTable("tag_errors");
    assertThat(error(() -> ddb.listTagsOfResource(r -> r.resourceArn(null))))
        .hasMessageStartingWith("Invalid TableArn");
    DynamoDbException malformed =
        error(() -> ddb.tagResource(r -> r.resourceArn("not-an-arn").tags(tag("a", "b"))));
    assertThat(malformed.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
    assertThat(malformed.awsErrorDetails().errorMessage())
        .isEqualTo("Invalid TableArn: Invalid ResourceArn provided as input not-an-arn");
    String missingArn = arn.replace("tag_errors", "tag_nowhere");
    ResourceNotFoundException missing =
        catchThrowableOfType(
            ResourceNotFoundException.class,
            () -> ddb.tagResource(r -> r.resourceArn(missingArn).tags(tag("a", "b"))));
    assertThat(missing.awsErrorDetails().errorMessage())
        .isEqualTo("Requested resource not found: ResourcArn: " + missingArn + " not found");
    assertThat(
            error(() -> ddb.tagResource(r -> r.resourceArn(arn).tags(List.of())))
                .awsErrorDetails()
                .errorMessage())
        .isEqualTo("Atleast one Tag needs to be provided as Input.");
    assertThat(
            error(() -> ddb.tagResource(r -> r.resourceArn(arn).tags(tag("k".repeat(129), "v"))))
                .awsErrorDetails()
                .errorMessage())
        .isEqualTo(
            "1 validation error detected: Value '"
                + "k".repeat(129)
                + "' at 'tags.1.member.key' failed to satisfy constraint: Member must have length"
                + " less than or equal to 128");
    assertThat(error(() -> ddb.tagResource(r -> r.resourceArn(arn).tags(tag("ok", "#!%")))))
        .hasMessageContaining("at 'tags.1.member.value' failed to satisfy constraint");
    assertThat(error(() -> ddb.tagResource(r -> r.resourceArn(arn).tags(tag("aws:owner", "x")))))
        .hasMessageContaining("reserved");

    List<Tag> fifty = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      fifty.add(tag("k" + i, "v"));
    }
    ddb.tagResource(r -> r.resourceArn(arn).tags(fifty));
    DynamoDbException tooMany =
        error(() -> ddb.tagResource(r -> r.resourceArn(arn).tags(tag("one_more", "v"))));
    assertThat(tooMany.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
    assertThat(tags(arn)).hasSize(50);
    // Replacing a value does not add a tag, so it is allowed at the limit.
    ddb.tagResource(r -> r.resourceArn(arn).tags(tag("k0", "changed")));
    assertThat(tags(arn)).hasSize(50).contains(tag("k0", "changed"));
  }

  // Protects DescribeLimits: DynamoDB's default quotas, which tools read to validate capacity.
  @Test
  void describeLimitsAnswersDynamoDbDefaults() {
    DescribeLimitsResponse limits = ddb.describeLimits();
    assertThat(limits.accountMaxReadCapacityUnits()).isEqualTo(80000L);
    assertThat(limits.accountMaxWriteCapacityUnits()).isEqualTo(80000L);
    assertThat(limits.tableMaxReadCapacityUnits()).isEqualTo(40000L);
    assertThat(limits.tableMaxWriteCapacityUnits()).isEqualTo(40000L);
  }

  // Protects endpoint discovery: the answer points back at this server, as the client reached it.
  @Test
  void describeEndpointsPointsBackAtThisServer() {
    List<Endpoint> endpoints = ddb.describeEndpoints(r -> {}).endpoints();
    assertThat(endpoints).hasSize(1);
    assertThat("http://" + endpoints.get(0).address()).isEqualTo(server.endpoint);
    assertThat(endpoints.get(0).cachePeriodInMinutes()).isEqualTo(1440L);
  }
}
