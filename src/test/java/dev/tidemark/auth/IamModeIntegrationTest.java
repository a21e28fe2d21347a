package dev.tidemark.auth;

import static dev.tidemark.auth.SignedHttp.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tidemark.awsbackup.BackupAction;
import dev.tidemark.awsbackup.BackupApi;
import dev.tidemark.cli.Bootstrap;
import dev.tidemark.cli.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
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
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BackupStatus;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Protects {@code --auth iam} end to end, through a live server and the AWS SDK v2: the
 * administrator's credentials file, IAM users, keys and policies made over the IAM query protocol,
 * policy decisions on DynamoDB (the backup-and-restore policy of the issue, explicit Deny over
 * {@code dynamodb:*}, {@code dynamodb:LeadingKeys}), AWS's refusal texts, a deactivated key refused
 * at once, every routed operation guarded, and the whole state surviving a restart.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IamModeIntegrationTest {
  private static final String ACCOUNT = "123456789012";
  private static final String TABLE_ARN = "arn:aws:dynamodb:us-east-1:" + ACCOUNT + ":table/";
  private static final String WEB_SERIES_POLICY =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
          + "\"dynamodb:CreateBackup\",\"dynamodb:RestoreTableFromBackup\",\"dynamodb:PutItem\","
          + "\"dynamodb:UpdateItem\",\"dynamodb:DeleteItem\",\"dynamodb:GetItem\",\"dynamodb:Query\","
          + "\"dynamodb:Scan\",\"dynamodb:BatchWriteItem\"],"
          + "\"Resource\":\"arn:aws:dynamodb:us-east-1:123456789012:table/WebSeries\"}]}";

  @TempDir static Path dir;
  static Bootstrap.Running server;
  static String endpoint;
  static String adminId;
  static String adminSecret;
  static String aliceId;
  static String aliceSecret;
  static String[] bob;
  static software.amazon.awssdk.services.sts.model.Credentials roleSession;

  static ServerConfig config() {
    return config(dir, false);
  }

  /** An IAM-mode server with data and backups under {@code dir}. */
  static ServerConfig config(Path dir, boolean inMemory) {
    return dev.tidemark.testkit.IamServerConfig.of(dir, ACCOUNT, inMemory);
  }

  @BeforeAll
  static void start() throws Exception {
    server = Bootstrap.start(config());
    endpoint = server.endpoint();
    readAdmin();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static void readAdmin() throws Exception {
    String[] admin = adminKey(dir);
    adminId = admin[0];
    adminSecret = admin[1];
  }

  /** The administrator's key id and secret, from the credentials file the first start wrote. */
  static String[] adminKey(Path dir) throws Exception {
    return dev.tidemark.testkit.IamServerConfig.adminKey(dir.resolve("admin.credentials"));
  }

  static DynamoDbClient dynamo(String id, String secret) {
    return DynamoDbClient.builder()
        .endpointOverride(URI.create(endpoint))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret)))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  static SignedHttp.Answer admin(String params) throws Exception {
    SignedHttp.Answer a = SignedHttp.iam(endpoint, adminId, adminSecret, params);
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    return a;
  }

  /** Creates a user with one inline policy (or none) and returns its key id and secret. */
  static String[] user(String name, String policy) throws Exception {
    admin("Action=CreateUser&UserName=" + name);
    if (policy != null) {
      admin(
          "Action=PutUserPolicy&UserName="
              + name
              + "&PolicyName=p1&PolicyDocument="
              + form(policy));
    }
    SignedHttp.Answer key = admin("Action=CreateAccessKey&UserName=" + name);
    return new String[] {key.element("AccessKeyId"), key.element("SecretAccessKey")};
  }

  static AwsServiceException refused(Runnable call) {
    AwsServiceException e = catchThrowableOfType(AwsServiceException.class, call::run);
    assertThat(e).as("refused").isNotNull();
    return e;
  }

  static Map<String, AttributeValue> item(String pk) {
    return Map.of("pk", AttributeValue.fromS(pk), "v", AttributeValue.fromS("x"));
  }

  // The first start wrote the administrator's key, owner-only, in the CLI's credentials format.
  @Test
  @Order(1)
  void firstStartWritesAnOwnerOnlyCredentialsFile() throws Exception {
    Path file = dir.resolve("admin.credentials");
    assertThat(Files.readAllLines(file).get(0)).isEqualTo("[tidemark-admin]");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(adminId).startsWith("AKIA").hasSize(20);
    try (DynamoDbClient admin = dynamo(adminId, adminSecret)) {
      for (String t : new String[] {"WebSeries", "Other"}) {
        admin.createTable(
            software.amazon.awssdk.services.dynamodb.model.CreateTableRequest.builder()
                .tableName(t)
                .keySchema(
                    software.amazon.awssdk.services.dynamodb.model.KeySchemaElement.builder()
                        .attributeName("pk")
                        .keyType("HASH")
                        .build())
                .attributeDefinitions(
                    software.amazon.awssdk.services.dynamodb.model.AttributeDefinition.builder()
                        .attributeName("pk")
                        .attributeType(ScalarAttributeType.S)
                        .build())
                .billingMode("PAY_PER_REQUEST")
                .build());
      }
    }
  }

  // Requests that do not carry valid credentials get AWS's types and texts.
  @Test
  @Order(2)
  void badCredentialsAreRefusedWithAwsErrors() throws Exception {
    try (DynamoDbClient wrongSecret = dynamo(adminId, adminSecret + "x");
        DynamoDbClient unknown = dynamo("AKIAUNKNOWNUNKNOWN00", "secret")) {
      AwsServiceException e = refused(wrongSecret::listTables);
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
      assertThat(e.awsErrorDetails().errorMessage())
          .isEqualTo(
              "The request signature we calculated does not match the signature you provided."
                  + " Check your AWS Secret Access Key and signing method. Consult the service"
                  + " documentation for details.");
      AwsServiceException u = refused(unknown::listTables);
      assertThat(u.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");
      assertThat(u.awsErrorDetails().errorMessage())
          .isEqualTo("The security token included in the request is invalid.");
    }
    HttpResponse<String> anonymous =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(endpoint + "/"))
                    .header("Content-Type", "application/x-amz-json-1.0")
                    .header("X-Amz-Target", "DynamoDB_20120810.ListTables")
                    .POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(400);
    assertThat(anonymous.body())
        .contains("MissingAuthenticationTokenException")
        .contains("Request is missing Authentication Token");
  }

  // The policy: back up WebSeries and work its items; nothing else. A restore needs, as
  // on AWS, RestoreTableFromBackup on the backup and item reads and writes on the target table.
  @Test
  @Order(3)
  void webSeriesPolicyAllowsBackupAndItemsAndDeniesTheRest() throws Exception {
    String[] alice = user("alice", WEB_SERIES_POLICY);
    aliceId = alice[0];
    aliceSecret = alice[1];
    try (DynamoDbClient a = dynamo(aliceId, aliceSecret);
        DynamoDbClient admin = dynamo(adminId, adminSecret)) {
      a.putItem(p -> p.tableName("WebSeries").item(item("s1")));
      assertThat(
              a.getItem(g -> g.tableName("WebSeries").key(Map.of("pk", AttributeValue.fromS("s1"))))
                  .item())
          .containsEntry("v", AttributeValue.fromS("x"));
      String backupArn =
          a.createBackup(c -> c.tableName("WebSeries").backupName("backup1"))
              .backupDetails()
              .backupArn();
      while (admin
              .describeBackup(d -> d.backupArn(backupArn))
              .backupDescription()
              .backupDetails()
              .backupStatus()
          != BackupStatus.AVAILABLE) {
        Thread.sleep(50);
      }

      AwsServiceException other =
          refused(() -> a.putItem(p -> p.tableName("Other").item(item("s1"))));
      assertThat(other.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");
      assertThat(other.awsErrorDetails().errorMessage())
          .isEqualTo(
              "User: arn:aws:iam::123456789012:user/alice is not authorized to perform:"
                  + " dynamodb:PutItem on resource: "
                  + TABLE_ARN
                  + "Other because no identity-based policy allows the dynamodb:PutItem action");
      AwsServiceException delete = refused(() -> a.deleteBackup(d -> d.backupArn(backupArn)));
      assertThat(delete.awsErrorDetails().errorMessage())
          .isEqualTo(
              "User: arn:aws:iam::123456789012:user/alice is not authorized to perform:"
                  + " dynamodb:DeleteBackup on resource: "
                  + backupArn
                  + " because no identity-based policy allows the dynamodb:DeleteBackup action");
      AwsServiceException pitr =
          refused(
              () ->
                  a.updateContinuousBackups(
                      u ->
                          u.tableName("WebSeries")
                              .pointInTimeRecoverySpecification(
                                  s -> s.pointInTimeRecoveryEnabled(true))));
      assertThat(pitr.awsErrorDetails().errorMessage())
          .contains("dynamodb:UpdateContinuousBackups on resource: " + TABLE_ARN + "WebSeries");
      AwsServiceException restore =
          refused(
              () ->
                  a.restoreTableFromBackup(
                      r -> r.backupArn(backupArn).targetTableName("WebSeriesRestored")));
      assertThat(restore.awsErrorDetails().errorMessage())
          .contains("dynamodb:RestoreTableFromBackup on resource: " + backupArn);

      admin(
          "Action=PutUserPolicy&UserName=alice&PolicyName=restore&PolicyDocument="
              + form(
                  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
                      + "\"dynamodb:RestoreTableFromBackup\",\"Resource\":\""
                      + TABLE_ARN
                      + "WebSeries/backup/*\"},{\"Effect\":\"Allow\",\"Action\":[\"dynamodb:PutItem\","
                      + "\"dynamodb:UpdateItem\",\"dynamodb:DeleteItem\",\"dynamodb:GetItem\","
                      + "\"dynamodb:Query\",\"dynamodb:Scan\",\"dynamodb:BatchWriteItem\"],"
                      + "\"Resource\":\""
                      + TABLE_ARN
                      + "WebSeriesRestored\"}]}"));
      assertThat(
              a.restoreTableFromBackup(
                      r -> r.backupArn(backupArn).targetTableName("WebSeriesRestored"))
                  .tableDescription()
                  .tableName())
          .isEqualTo("WebSeriesRestored");
    }
  }

  // An explicit Deny beats dynamodb:* (here from a managed policy attached to the user).
  @Test
  @Order(4)
  void explicitDenyWinsOverAllow() throws Exception {
    bob = user("bob", null);
    SignedHttp.Answer created =
        admin(
            "Action=CreatePolicy&PolicyName=all-but-delete&PolicyDocument="
                + form(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                        + "\"Action\":\"dynamodb:*\",\"Resource\":\"*\"},{\"Effect\":\"Deny\","
                        + "\"Action\":\"dynamodb:DeleteTable\",\"Resource\":\"*\"}]}"));
    String policyArn = created.element("Arn");
    assertThat(policyArn).isEqualTo("arn:aws:iam::123456789012:policy/all-but-delete");
    admin("Action=AttachUserPolicy&UserName=bob&PolicyArn=" + form(policyArn));
    assertThat(admin("Action=ListAttachedUserPolicies&UserName=bob").element("PolicyArn"))
        .isEqualTo(policyArn);
    try (DynamoDbClient b = dynamo(bob[0], bob[1])) {
      assertThat(b.describeTable(d -> d.tableName("Other")).table().tableName()).isEqualTo("Other");
      AwsServiceException e = refused(() -> b.deleteTable(d -> d.tableName("Other")));
      assertThat(e.awsErrorDetails().errorMessage())
          .isEqualTo(
              "User: arn:aws:iam::123456789012:user/bob is not authorized to perform:"
                  + " dynamodb:DeleteTable on resource: "
                  + TABLE_ARN
                  + "Other with an explicit deny in an identity-based policy");
    }
  }

  // dynamodb:LeadingKeys with ${aws:username} keeps a user in their own partition.
  @Test
  @Order(5)
  void leadingKeysConfineAUserToTheirPartition() throws Exception {
    String[] carol =
        user(
            "carol",
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
                + "[\"dynamodb:GetItem\",\"dynamodb:PutItem\",\"dynamodb:BatchWriteItem\","
                + "\"dynamodb:Query\"],"
                + "\"Resource\":\""
                + TABLE_ARN
                + "WebSeries\",\"Condition\":{\"ForAllValues:StringEquals\":"
                + "{\"dynamodb:LeadingKeys\":[\"${aws:username}\"]}}}]}");
    try (DynamoDbClient c = dynamo(carol[0], carol[1])) {
      c.putItem(p -> p.tableName("WebSeries").item(item("carol")));
      assertThat(
              c.getItem(
                      g ->
                          g.tableName("WebSeries").key(Map.of("pk", AttributeValue.fromS("carol"))))
                  .hasItem())
          .isTrue();
      // A Query's partition comes from its key condition expression.
      assertThat(
              c.query(
                      q ->
                          q.tableName("WebSeries")
                              .keyConditionExpression("#k = :v")
                              .expressionAttributeNames(Map.of("#k", "pk"))
                              .expressionAttributeValues(
                                  Map.of(":v", AttributeValue.fromS("carol"))))
                  .count())
          .isEqualTo(1);
      refused(
          () ->
              c.query(
                  q ->
                      q.tableName("WebSeries")
                          .keyConditionExpression("pk = :v")
                          .expressionAttributeValues(Map.of(":v", AttributeValue.fromS("s1")))));
      AwsServiceException put =
          refused(() -> c.putItem(p -> p.tableName("WebSeries").item(item("alice"))));
      assertThat(put.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");
      refused(
          () ->
              c.getItem(
                  g -> g.tableName("WebSeries").key(Map.of("pk", AttributeValue.fromS("s1")))));
      // One foreign key in a batch refuses the whole batch.
      refused(
          () ->
              c.batchWriteItem(
                  w ->
                      w.requestItems(
                          Map.of(
                              "WebSeries",
                              java.util.List.of(
                                  software.amazon.awssdk.services.dynamodb.model.WriteRequest
                                      .builder()
                                      .putRequest(p -> p.item(item("carol")))
                                      .build(),
                                  software.amazon.awssdk.services.dynamodb.model.WriteRequest
                                      .builder()
                                      .putRequest(p -> p.item(item("mallory")))
                                      .build())))));
    }
  }

  // STS answers who signed; then a deactivated key is refused from the very next request.
  @Test
  @Order(6)
  void callerIdentityAndDeactivatedKey() throws Exception {
    try (StsClient sts =
        StsClient.builder()
            .endpointOverride(URI.create(endpoint))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(aliceId, aliceSecret)))
            .httpClient(UrlConnectionHttpClient.create())
            .build()) {
      var me = sts.getCallerIdentity();
      assertThat(me.arn()).isEqualTo("arn:aws:iam::123456789012:user/alice");
      assertThat(me.account()).isEqualTo(ACCOUNT);
    }
    admin("Action=UpdateAccessKey&UserName=alice&AccessKeyId=" + aliceId + "&Status=Inactive");
    try (DynamoDbClient a = dynamo(aliceId, aliceSecret)) {
      AwsServiceException e =
          refused(
              () ->
                  a.getItem(
                      g -> g.tableName("WebSeries").key(Map.of("pk", AttributeValue.fromS("s1")))));
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");
    }
  }

  // Every operation the server routes passes the gate: a user without policies is refused each.
  @Test
  @Order(7)
  void everyRoutedOperationIsGuarded() throws Exception {
    String[] dave = user("dave", null);
    for (String op : DynamoPermissions.OPERATIONS) {
      String target = op.contains(".") ? op : "DynamoDB_20120810." + op;
      SignedHttp.Answer a = SignedHttp.dynamo(endpoint, dave[0], dave[1], target, "{}");
      assertThat(a.body()).as(op).contains("AccessDeniedException");
    }
    for (String op : IamPermissions.OPERATIONS) {
      String[] parts = op.split(":");
      String version = parts[0].equals("sts") ? "2011-06-15" : "2010-05-08";
      SignedHttp.Answer a =
          SignedHttp.send(
              endpoint,
              dave[0],
              dave[1],
              parts[0],
              "us-east-1",
              "application/x-www-form-urlencoded",
              null,
              "Action=" + parts[1] + "&Version=" + version);
      if (op.equals("sts:GetCallerIdentity")) {
        // Needs no permission on AWS either; it is still authenticated.
        assertThat(a.status()).isEqualTo(200);
      } else {
        assertThat(a.status()).as(op + " " + a.body()).isEqualTo(403);
        assertThat(a.element("Code")).as(op).isEqualTo("AccessDenied");
      }
    }
    // AWS Backup's routes, signed for the backup service, labels filled in.
    for (BackupAction action : BackupApi.actions(null, null).values()) {
      String path =
          action
              .uri()
              .replaceAll("\\{[A-Za-z]+Arn\\}", "arn%3Aaws%3Ax")
              .replaceAll("\\{[A-Za-z]+\\}", "x");
      String body = action.method().equals("GET") || action.method().equals("DELETE") ? null : "{}";
      SignedHttp.RestAnswer a =
          SignedHttp.rest(endpoint, dave[0], dave[1], action.method(), path, body);
      assertThat(a.status()).as(action.name() + " " + a.body()).isEqualTo(403);
      assertThat(a.errorType()).as(action.name()).isEqualTo("AccessDeniedException");
      assertThat(a.body()).as(action.name()).contains("backup:" + action.name());
    }
    // The administrator may, and a policy on one vault's ARN allows exactly that vault.
    assertThat(
            SignedHttp.rest(endpoint, adminId, adminSecret, "PUT", "/backup-vaults/daily", "{}")
                .status())
        .isEqualTo(200);
    String[] erin =
        user(
            "erin",
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
                + "\"backup:DescribeBackupVault\",\"Resource\":"
                + "\"arn:aws:backup:us-east-1:123456789012:backup-vault:daily\"}]}");
    assertThat(
            SignedHttp.rest(endpoint, erin[0], erin[1], "GET", "/backup-vaults/daily", null)
                .status())
        .isEqualTo(200);
    assertThat(
            SignedHttp.rest(endpoint, erin[0], erin[1], "GET", "/backup-vaults/Default", null)
                .errorType())
        .isEqualTo("AccessDeniedException");
  }

  // A role's temporary credentials, taken before the restart below, which must keep them working.
  @Test
  @Order(8)
  void assumeRoleBeforeRestart() throws Exception {
    admin(
        "Action=CreateRole&RoleName=reader&AssumeRolePolicyDocument="
            + form(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
                    + "{\"AWS\":\"arn:aws:iam::123456789012:user/bob\"},\"Action\":\"sts:AssumeRole\"}]}"));
    admin(
        "Action=PutRolePolicy&RoleName=reader&PolicyName=get&PolicyDocument="
            + form(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
                    + "\"dynamodb:GetItem\",\"Resource\":\""
                    + TABLE_ARN
                    + "WebSeries\"}]}"));
    try (StsClient sts =
        StsClient.builder()
            .endpointOverride(URI.create(endpoint))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(bob[0], bob[1])))
            .httpClient(UrlConnectionHttpClient.create())
            .build()) {
      roleSession =
          sts.assumeRole(
                  a -> a.roleArn("arn:aws:iam::123456789012:role/reader").roleSessionName("before"))
              .credentials();
    }
    assertThat(roleSession.accessKeyId()).startsWith("ASIA");
  }

  // Users, keys, policies, attachments and roles live in RocksDB, and a session token carries its
  // session: a restart keeps every decision and every unexpired temporary credential.
  @Test
  @Order(9)
  void restartKeepsUsersKeysAndPolicies() throws Exception {
    String credentials = Files.readString(dir.resolve("admin.credentials"));
    server.close();
    server = Bootstrap.start(config());
    endpoint = server.endpoint();
    assertThat(Files.readString(dir.resolve("admin.credentials"))).isEqualTo(credentials);
    assertThat(admin("Action=ListUsers").body())
        .contains(
            "<UserName>alice</UserName>", "<UserName>bob</UserName>", "<UserName>carol</UserName>");
    try (DynamoDbClient a = dynamo(aliceId, aliceSecret)) {
      assertThat(refused(a::listTables).awsErrorDetails().errorCode())
          .isEqualTo("UnrecognizedClientException");
    }
    admin("Action=UpdateAccessKey&UserName=alice&AccessKeyId=" + aliceId + "&Status=Active");
    try (DynamoDbClient a = dynamo(aliceId, aliceSecret)) {
      a.putItem(p -> p.tableName("WebSeries").item(item("s2")));
      assertThat(
              refused(() -> a.putItem(p -> p.tableName("Other").item(item("s2"))))
                  .awsErrorDetails()
                  .errorCode())
          .isEqualTo("AccessDeniedException");
    }
    assertThat(Set.of(admin("Action=ListUserPolicies&UserName=alice").body()))
        .allMatch(b -> b.contains("<member>p1</member>") && b.contains("<member>restore</member>"));
    try (DynamoDbClient r =
        DynamoDbClient.builder()
            .endpointOverride(URI.create(endpoint))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    software.amazon.awssdk.auth.credentials.AwsSessionCredentials.create(
                        roleSession.accessKeyId(),
                        roleSession.secretAccessKey(),
                        roleSession.sessionToken())))
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build()) {
      assertThat(
              r.getItem(g -> g.tableName("WebSeries").key(Map.of("pk", AttributeValue.fromS("s2"))))
                  .hasItem())
          .isTrue();
      assertThat(
              refused(() -> r.putItem(p -> p.tableName("WebSeries").item(item("s3"))))
                  .awsErrorDetails()
                  .errorMessage())
          .startsWith(
              "User: arn:aws:sts::123456789012:assumed-role/reader/before is not authorized to"
                  + " perform: dynamodb:PutItem");
    }
  }
}
