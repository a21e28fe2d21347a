package dev.tidemark.auth;

import static dev.tidemark.auth.SignedHttp.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tidemark.cli.Bootstrap;
import dev.tidemark.testkit.IamServerConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BackupStatus;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GetResourcePolicyResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Protects DynamoDB's resource-based policies through a live {@code --auth iam} server and the AWS
 * SDK v2: a table's policy lets a user with no identity policy read it; its explicit Deny beats an
 * identity Allow; RevisionId and ExpectedRevisionId (NO_POLICY included) with DynamoDB's refusal
 * texts; the document and ARN checks; the self-lockout guard and the root's way out; a stream's own
 * policy; CreateTable's ResourcePolicy needing PutResourcePolicy too; policies surviving a restart,
 * leaving with their table and not following a restore.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ResourcePolicyIntegrationTest {
  private static final String ACCOUNT = "123456789012";
  private static final String ARN = "arn:aws:dynamodb:us-east-1:" + ACCOUNT + ":table/";
  private static final String READER = "arn:aws:iam::" + ACCOUNT + ":user/reader";
  private static final String WRITER = "arn:aws:iam::" + ACCOUNT + ":user/writer";

  @TempDir static Path dir;
  static Bootstrap.Running server;
  static String[] admin;
  static String[] reader;
  static String[] writer;

  @BeforeAll
  static void start() throws Exception {
    server = Bootstrap.start(IamServerConfig.of(dir, ACCOUNT));
    admin = IamServerConfig.adminKey(dir.resolve("admin.credentials"));
    reader = user("reader", null);
    writer =
        user(
            "writer",
            "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":"
                + "\"dynamodb:*\",\"Resource\":\"*\"}}");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static String[] user(String name, String policy) throws Exception {
    iam("Action=CreateUser&UserName=" + name);
    if (policy != null) {
      iam("Action=PutUserPolicy&UserName=" + name + "&PolicyName=p&PolicyDocument=" + form(policy));
    }
    SignedHttp.Answer key = iam("Action=CreateAccessKey&UserName=" + name);
    return new String[] {key.element("AccessKeyId"), key.element("SecretAccessKey")};
  }

  static SignedHttp.Answer iam(String params) throws Exception {
    SignedHttp.Answer a = SignedHttp.iam(server.endpoint(), admin[0], admin[1], params);
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    return a;
  }

  static DynamoDbClient dynamo(String[] key) {
    return DynamoDbClient.builder()
        .endpointOverride(URI.create(server.endpoint()))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(key[0], key[1])))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  static AwsServiceException refused(Runnable call) {
    AwsServiceException e = catchThrowableOfType(AwsServiceException.class, call::run);
    assertThat(e).as("refused").isNotNull();
    return e;
  }

  static void assertRefused(Runnable call, String code, String message) {
    AwsServiceException e = refused(call);
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
    assertThat(e.awsErrorDetails().errorMessage()).isEqualTo(message);
  }

  static void createTable(
      DynamoDbClient c, String name, Consumer<CreateTableRequest.Builder> more) {
    c.createTable(
        b -> {
          b.tableName(name)
              .keySchema(KeySchemaElement.builder().attributeName("pk").keyType("HASH").build())
              .attributeDefinitions(
                  AttributeDefinition.builder().attributeName("pk").attributeType("S").build())
              .billingMode("PAY_PER_REQUEST");
          more.accept(b);
        });
  }

  static String policy(String... statements) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", statements) + "]}";
  }

  static String statement(String effect, String principal, String actions, String resource) {
    return "{\"Effect\":\""
        + effect
        + "\",\"Principal\":{\"AWS\":\""
        + principal
        + "\"},\"Action\":"
        + actions
        + ",\"Resource\":\""
        + resource
        + "\"}";
  }

  static Map<String, AttributeValue> key(String pk) {
    return Map.of("pk", AttributeValue.fromS(pk));
  }

  static final String READ_SHARED =
      statement("Allow", READER, "[\"dynamodb:GetItem\",\"dynamodb:Query\"]", ARN + "Shared");

  // CreateTable's ResourcePolicy needs PutResourcePolicy as well; once attached, a user with no
  // identity policy at all reads the table through it, and nothing more.
  @Test
  @Order(1)
  void aTablePolicyLetsAUserWithoutIdentityPolicyRead() throws Exception {
    String[] creator =
        user(
            "creator",
            "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":"
                + "\"dynamodb:CreateTable\",\"Resource\":\"*\"}}");
    try (DynamoDbClient c = dynamo(creator);
        DynamoDbClient a = dynamo(admin);
        DynamoDbClient r = dynamo(reader)) {
      assertRefused(
          () -> createTable(c, "Shared", b -> b.resourcePolicy(policy(READ_SHARED))),
          "AccessDeniedException",
          "User: arn:aws:iam::123456789012:user/creator is not authorized to perform:"
              + " dynamodb:PutResourcePolicy on resource: "
              + ARN
              + "Shared because no identity-based policy allows the dynamodb:PutResourcePolicy"
              + " action");
      createTable(a, "Shared", b -> b.resourcePolicy(policy(READ_SHARED)));
      createTable(c, "Private", b -> {});
      a.putItem(p -> p.tableName("Shared").item(key("k1")));
      a.putItem(p -> p.tableName("Private").item(key("k1")));

      assertThat(r.getItem(g -> g.tableName("Shared").key(key("k1"))).item()).isNotEmpty();
      assertRefused(
          () -> r.putItem(p -> p.tableName("Shared").item(key("k2"))),
          "AccessDeniedException",
          "User: "
              + READER
              + " is not authorized to perform: dynamodb:PutItem on resource: "
              + ARN
              + "Shared because no identity-based policy allows the dynamodb:PutItem action");
      assertThat(
              refused(() -> r.getItem(g -> g.tableName("Private").key(key("k1"))))
                  .awsErrorDetails()
                  .errorCode())
          .isEqualTo("AccessDeniedException");
      GetResourcePolicyResponse got = a.getResourcePolicy(g -> g.resourceArn(ARN + "Shared"));
      assertThat(got.policy()).isEqualTo(policy(READ_SHARED));
      assertThat(got.revisionId()).matches("\\d{13}");
    }
  }

  // An explicit Deny in the table's policy wins over the writer's dynamodb:* on every resource.
  @Test
  @Order(2)
  void aResourcePolicyDenyBeatsAnIdentityAllow() throws Exception {
    try (DynamoDbClient a = dynamo(admin);
        DynamoDbClient w = dynamo(writer)) {
      String before = a.getResourcePolicy(g -> g.resourceArn(ARN + "Shared")).revisionId();
      a.putResourcePolicy(
          p ->
              p.resourceArn(ARN + "Shared")
                  .expectedRevisionId(before)
                  .policy(
                      policy(
                          READ_SHARED,
                          statement("Deny", WRITER, "\"dynamodb:PutItem\"", ARN + "Shared"))));
      assertRefused(
          () -> w.putItem(p -> p.tableName("Shared").item(key("k3"))),
          "AccessDeniedException",
          "User: "
              + WRITER
              + " is not authorized to perform: dynamodb:PutItem on resource: "
              + ARN
              + "Shared with an explicit deny in a resource-based policy");
      w.putItem(p -> p.tableName("Private").item(key("k3")));
      assertThat(w.getItem(g -> g.tableName("Shared").key(key("k1"))).item()).isNotEmpty();
    }
  }

  // RevisionId is the change's time, the same for the same document; ExpectedRevisionId makes a
  // change conditional, with DynamoDB's PolicyNotFoundException texts.
  @Test
  @Order(3)
  void revisionIds() throws Exception {
    String arn = ARN + "Revisions";
    String one = policy(statement("Allow", READER, "\"dynamodb:GetItem\"", arn));
    String two = policy(statement("Allow", READER, "\"dynamodb:Query\"", arn));
    try (DynamoDbClient a = dynamo(admin)) {
      createTable(a, "Revisions", b -> {});
      assertRefused(
          () -> a.getResourcePolicy(g -> g.resourceArn(arn)),
          "PolicyNotFoundException",
          "Resource-based policy not found for the provided ResourceArn: " + arn);
      assertThat(a.deleteResourcePolicy(d -> d.resourceArn(arn)).revisionId()).isNull();
      String r1 =
          a.putResourcePolicy(p -> p.resourceArn(arn).policy(one).expectedRevisionId("NO_POLICY"))
              .revisionId();
      // The same document, however it is spaced, is the same revision.
      assertThat(
              a.putResourcePolicy(p -> p.resourceArn(arn).policy(one.replace(",", " ,\n ")))
                  .revisionId())
          .isEqualTo(r1);
      assertRefused(
          () ->
              a.putResourcePolicy(
                  p -> p.resourceArn(arn).policy(two).expectedRevisionId("NO_POLICY")),
          "PolicyNotFoundException",
          "Resource-based policy not found for the provided ResourceArn: Requested policy update"
              + " expecting none to be present for table Revisions, but a policy exists with"
              + " revision id "
              + r1
              + ".");
      String r2 =
          a.putResourcePolicy(p -> p.resourceArn(arn).policy(two).expectedRevisionId(r1))
              .revisionId();
      assertThat(Long.parseLong(r2)).isGreaterThan(Long.parseLong(r1));
      String stale =
          "Resource-based policy not found for the provided ResourceArn: Requested update for"
              + " policy with revision id "
              + r1
              + ", but the policy associated to target table Revisions has revision id "
              + r2
              + ".";
      assertRefused(
          () -> a.putResourcePolicy(p -> p.resourceArn(arn).policy(one).expectedRevisionId(r1)),
          "PolicyNotFoundException",
          stale);
      assertRefused(
          () -> a.deleteResourcePolicy(d -> d.resourceArn(arn).expectedRevisionId(r1)),
          "PolicyNotFoundException",
          stale);
      assertThat(a.getResourcePolicy(g -> g.resourceArn(arn)).revisionId()).isEqualTo(r2);
      assertThat(
              a.deleteResourcePolicy(d -> d.resourceArn(arn).expectedRevisionId(r2)).revisionId())
          .isEqualTo(r2);
      assertRefused(
          () -> a.deleteResourcePolicy(d -> d.resourceArn(arn).expectedRevisionId(r2)),
          "PolicyNotFoundException",
          "Resource-based policy not found for the provided ResourceArn: " + arn);
    }
  }

  // The document and the ARN are checked before anything changes, with DynamoDB's texts.
  @Test
  @Order(4)
  void badPoliciesAndArnsAreRefused() throws Exception {
    String arn = ARN + "Revisions";
    String invalid = "One or more parameter values were invalid: ";
    String good = policy(statement("Allow", READER, "\"dynamodb:GetItem\"", arn));
    try (DynamoDbClient a = dynamo(admin)) {
      Map<String, String> documents =
          Map.of(
              "{\"Statement\": [" + " ".repeat(20480) + "]}",
              invalid + "Maximum policy size of 20480 bytes exceeded",
              "{not json",
              invalid + "Invalid policy document: This policy contains invalid Json",
              "{\"Version\":\"2012-10-17\",\"Statement\":[]}",
              invalid + "Invalid policy document: Could not parse the policy: Statement is empty!",
              policy(
                  "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
                      + READER
                      + "\"},\"Action\":\"dynamodb:GetItem\"}"),
              invalid + "Invalid policy document: Missing required field Resource",
              policy(statement("Allow", "*", "\"dynamodb:GetItem\"", arn)),
              "Resource-based policy grants unbounded access in one or more elements. Please"
                  + " revise the policy to ensure least-privilege form of access",
              policy(
                  statement(
                      "Allow",
                      READER,
                      "[\"dynamodb:GetRecords\",\"dynamodb:DescribeStream\"]",
                      arn)),
              invalid
                  + "Invalid policy document: The following action names are invalid:"
                  + " \"dynamodb:GetRecords\", \"dynamodb:DescribeStream\"",
              "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"a\",\"Effect\":\"Allow\","
                  + "\"Principal\":{\"AWS\":\""
                  + READER
                  + "\"},\"Action\":\"dynamodb:GetItem\",\"Resource\":\"*\"},{\"Sid\":\"a\","
                  + "\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
                  + READER
                  + "\"},\"Action\":\"dynamodb:Query\",\"Resource\":\"*\"}]}",
              invalid + "Invalid policy document: The Statement Ids in the policy are not unique");
      documents.forEach(
          (doc, message) ->
              assertRefused(
                  () -> a.putResourcePolicy(p -> p.resourceArn(arn).policy(doc)),
                  "ValidationException",
                  message));
      // A user or role of this account that does not exist, as DynamoDB refuses a principal IAM
      // does not know; CreateTable's ResourcePolicy is checked alike.
      for (String nobody :
          new String[] {
            "arn:aws:iam::" + ACCOUNT + ":user/nobody",
            "arn:aws:iam::" + ACCOUNT + ":role/nothing",
            "arn:aws:iam::" + ACCOUNT + ":user/other-path/reader"
          }) {
        String doc = policy(statement("Allow", nobody, "\"dynamodb:GetItem\"", arn));
        assertRefused(
            () -> a.putResourcePolicy(p -> p.resourceArn(arn).policy(doc)),
            "ValidationException",
            invalid + "Invalid principal in policy document.");
        assertRefused(
            () -> createTable(a, "NoSuchPrincipal", b -> b.resourcePolicy(doc)),
            "ValidationException",
            invalid + "Invalid principal in policy document.");
      }
      Map<String, String[]> arns =
          Map.of(
              "Revisions",
              new String[] {
                "ValidationException", invalid + "ARNs must start with 'arn:': Revisions"
              },
              "arn:aws:dynamodb:us-east-1:999999999999:table/Revisions",
              new String[] {
                "ValidationException",
                "This action is only supported by accounts that match the resource owner\u2019s"
                    + " account."
              },
              "arn:aws:dynamodb:eu-west-1:" + ACCOUNT + ":table/Revisions",
              new String[] {
                "ValidationException",
                invalid
                    + "Invalid resource Arn: arn:aws:dynamodb:eu-west-1:"
                    + ACCOUNT
                    + ":table/Revisions"
              },
              arn + "/index/byName",
              new String[] {
                "ValidationException",
                invalid
                    + "Invalid resource arn provided, only table or stream is accepted. Provided"
                    + " resource arn: "
                    + arn
                    + "/index/byName"
              },
              ARN + "Missing",
              new String[] {
                "ResourceNotFoundException",
                "Requested resource not found: Table: Missing not found"
              },
              arn + "/stream/2000-01-01T00:00:00.000",
              new String[] {
                "ResourceNotFoundException",
                "Requested resource not found: Stream: 2000-01-01T00:00:00.000 not found for Table:"
                    + " Revisions"
              });
      arns.forEach(
          (resourceArn, error) -> {
            assertRefused(
                () -> a.putResourcePolicy(p -> p.resourceArn(resourceArn).policy(good)),
                error[0],
                error[1]);
            assertRefused(
                () -> a.getResourcePolicy(p -> p.resourceArn(resourceArn)), error[0], error[1]);
          });
      assertRefused(
          () -> a.getResourcePolicy(g -> g.resourceArn(arn)),
          "PolicyNotFoundException",
          "Resource-based policy not found for the provided ResourceArn: " + arn);
    }
  }

  // A policy that would keep its author from changing it again needs
  // ConfirmRemoveSelfResourceAccess;
  // the account root stays bound by a resource policy's Deny but can always delete the policy.
  @Test
  @Order(5)
  void selfLockoutNeedsConfirmationAndTheRootCanAlwaysDelete() throws Exception {
    String arn = ARN + "Revisions";
    String lockout =
        policy(
            statement(
                "Deny",
                "*",
                "[\"dynamodb:PutResourcePolicy\",\"dynamodb:DeleteResourcePolicy\"]",
                arn));
    try (DynamoDbClient a = dynamo(admin);
        DynamoDbClient w = dynamo(writer)) {
      assertRefused(
          () -> w.putResourcePolicy(p -> p.resourceArn(arn).policy(lockout)),
          "AccessDeniedException",
          "The new resource policy will not allow you to update the resource policy in the"
              + " future.");
      w.putResourcePolicy(
          p -> p.resourceArn(arn).policy(lockout).confirmRemoveSelfResourceAccess(true));
      assertRefused(
          () -> w.deleteResourcePolicy(d -> d.resourceArn(arn)),
          "AccessDeniedException",
          "User: "
              + WRITER
              + " is not authorized to perform: dynamodb:DeleteResourcePolicy on resource: "
              + arn
              + " with an explicit deny in a resource-based policy");
      assertRefused(
          () ->
              a.putResourcePolicy(
                  p ->
                      p.resourceArn(arn)
                          .policy(policy(statement("Allow", READER, "\"dynamodb:GetItem\"", arn)))),
          "AccessDeniedException",
          "User: arn:aws:iam::"
              + ACCOUNT
              + ":root is not authorized to perform: dynamodb:PutResourcePolicy on resource: "
              + arn
              + " with an explicit deny in a resource-based policy");
      a.deleteResourcePolicy(d -> d.resourceArn(arn));
      w.putResourcePolicy(
          p ->
              p.resourceArn(arn)
                  .policy(policy(statement("Allow", READER, "\"dynamodb:GetItem\"", arn))));
    }
  }

  // A stream has its own policy, beside its table's.
  @Test
  @Order(6)
  void aStreamHasItsOwnPolicy() throws Exception {
    try (DynamoDbClient a = dynamo(admin);
        DynamoDbStreamsClient rs =
            DynamoDbStreamsClient.builder()
                .endpointOverride(URI.create(server.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(
                    StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(reader[0], reader[1])))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build()) {
      createTable(
          a,
          "Streamed",
          b -> b.streamSpecification(s -> s.streamEnabled(true).streamViewType("KEYS_ONLY")));
      String stream = a.describeTable(d -> d.tableName("Streamed")).table().latestStreamArn();
      assertThat(
              refused(() -> rs.describeStream(d -> d.streamArn(stream)))
                  .awsErrorDetails()
                  .errorCode())
          .isEqualTo("AccessDeniedException");
      assertRefused(
          () ->
              a.putResourcePolicy(
                  p ->
                      p.resourceArn(stream)
                          .policy(
                              policy(statement("Allow", READER, "\"dynamodb:GetItem\"", stream)))),
          "ValidationException",
          "One or more parameter values were invalid: Invalid policy document: The following"
              + " action names are invalid: \"dynamodb:GetItem\"");
      a.putResourcePolicy(
          p ->
              p.resourceArn(stream)
                  .policy(
                      policy(statement("Allow", READER, "\"dynamodb:DescribeStream\"", stream))));
      assertThat(rs.describeStream(d -> d.streamArn(stream)).streamDescription().streamArn())
          .isEqualTo(stream);
      assertRefused(
          () -> a.getResourcePolicy(g -> g.resourceArn(ARN + "Streamed")),
          "PolicyNotFoundException",
          "Resource-based policy not found for the provided ResourceArn: " + ARN + "Streamed");
    }
  }

  // Policies live in the table's metadata: a restart keeps them, a restore does not carry them to
  // the new table (as on DynamoDB), and deleting the table deletes them.
  @Test
  @Order(7)
  void restartKeepsPoliciesRestoreAndDeleteDoNot() throws Exception {
    String revision;
    try (DynamoDbClient a = dynamo(admin)) {
      revision = a.getResourcePolicy(g -> g.resourceArn(ARN + "Shared")).revisionId();
    }
    server.close();
    server = Bootstrap.start(IamServerConfig.of(dir, ACCOUNT));
    try (DynamoDbClient a = dynamo(admin);
        DynamoDbClient r = dynamo(reader);
        DynamoDbClient w = dynamo(writer)) {
      assertThat(a.getResourcePolicy(g -> g.resourceArn(ARN + "Shared")).revisionId())
          .isEqualTo(revision);
      assertThat(r.getItem(g -> g.tableName("Shared").key(key("k1"))).item()).isNotEmpty();
      assertThat(
              refused(() -> w.putItem(p -> p.tableName("Shared").item(key("k4"))))
                  .awsErrorDetails()
                  .errorMessage())
          .endsWith("with an explicit deny in a resource-based policy");

      String backup =
          a.createBackup(c -> c.tableName("Shared").backupName("shared-1"))
              .backupDetails()
              .backupArn();
      while (a.describeBackup(d -> d.backupArn(backup))
              .backupDescription()
              .backupDetails()
              .backupStatus()
          != BackupStatus.AVAILABLE) {
        Thread.sleep(20);
      }
      a.restoreTableFromBackup(t -> t.backupArn(backup).targetTableName("SharedRestored"));
      while (a.describeTable(d -> d.tableName("SharedRestored")).table().tableStatus()
          != TableStatus.ACTIVE) {
        Thread.sleep(20);
      }
      assertRefused(
          () -> a.getResourcePolicy(g -> g.resourceArn(ARN + "SharedRestored")),
          "PolicyNotFoundException",
          "Resource-based policy not found for the provided ResourceArn: "
              + ARN
              + "SharedRestored");
      assertThat(
              refused(() -> r.getItem(g -> g.tableName("SharedRestored").key(key("k1"))))
                  .awsErrorDetails()
                  .errorCode())
          .isEqualTo("AccessDeniedException");

      a.deleteTable(d -> d.tableName("Shared"));
      assertRefused(
          () -> a.getResourcePolicy(g -> g.resourceArn(ARN + "Shared")),
          "ResourceNotFoundException",
          "Requested resource not found: Table: Shared not found");
      createTable(a, "Shared", b -> {});
      assertRefused(
          () -> a.getResourcePolicy(g -> g.resourceArn(ARN + "Shared")),
          "PolicyNotFoundException",
          "Resource-based policy not found for the provided ResourceArn: " + ARN + "Shared");
      assertThat(
              refused(() -> r.getItem(g -> g.tableName("Shared").key(key("k1"))))
                  .awsErrorDetails()
                  .errorCode())
          .isEqualTo("AccessDeniedException");
    }
  }
}
