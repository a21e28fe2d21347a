package dev.tidemark.auth;

import static dev.tidemark.auth.RolesAndGroupsIntegrationTest.allow;
import static dev.tidemark.auth.RolesAndGroupsIntegrationTest.code;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;

/**
 * Protects the gate's caches from ever deciding on stale state. The gate remembers derived signing
 * keys, compiled policies and the decisions they led to; each test first makes requests that fill
 * those caches, then changes IAM or resource-policy state through the API, and asserts that the
 * very next request (no waiting, no retry: the SDK clients here do not retry) is decided on the new
 * state: a deactivated or deleted key is refused, a detached or deleted policy no longer allows, a
 * new policy version or a new Deny takes effect, a deleted resource-based policy no longer grants,
 * and a table deleted and created again under its name does not inherit its predecessor's policy.
 */
class GateCachesIntegrationTest {
  private static final String TABLE = "Cached";
  private static final String TABLE_ARN =
      "arn:aws:dynamodb:us-east-1:" + ClockedIamServer.ACCOUNT + ":table/" + TABLE;
  private static ClockedIamServer server;
  private static IamClient admin;
  private static DynamoDbClient root;

  @BeforeAll
  static void start() throws Exception {
    server = new ClockedIamServer();
    AwsCredentials rootKey =
        AwsBasicCredentials.create(server.root.key().id(), server.root.secret());
    admin = server.iam(rootKey);
    root = server.dynamo(rootKey);
    createTable();
  }

  @AfterAll
  static void stop() {
    root.close();
    admin.close();
    server.close();
  }

  private static void createTable() {
    ResourcePolicyIntegrationTest.createTable(root, TABLE, b -> {});
  }

  private static AwsCredentials user(String name) {
    admin.createUser(u -> u.userName(name));
    AccessKey k = admin.createAccessKey(r -> r.userName(name)).accessKey();
    return AwsBasicCredentials.create(k.accessKeyId(), k.secretAccessKey());
  }

  /** A GetItem that is allowed; asserted to succeed several times so every cache is warm. */
  private static void warm(DynamoDbClient d) {
    for (int i = 0; i < 5; i++) {
      get(d);
    }
  }

  private static void get(DynamoDbClient d) {
    d.getItem(g -> g.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS("k"))));
  }

  private static String refusal(DynamoDbClient d) {
    return code(() -> get(d));
  }

  @Test
  void aDeactivatedOrDeletedKeyIsRefusedOnTheNextRequest() {
    AwsCredentials kim = user("kim");
    admin.putUserPolicy(
        p -> p.userName("kim").policyName("get").policyDocument(allow("dynamodb:GetItem", "*")));
    try (DynamoDbClient d = server.dynamo(kim)) {
      warm(d);
      admin.updateAccessKey(
          u -> u.userName("kim").accessKeyId(kim.accessKeyId()).status("Inactive"));
      assertThat(refusal(d)).isEqualTo("UnrecognizedClientException");
      admin.updateAccessKey(u -> u.userName("kim").accessKeyId(kim.accessKeyId()).status("Active"));
      warm(d);
      admin.deleteAccessKey(u -> u.userName("kim").accessKeyId(kim.accessKeyId()));
      assertThat(refusal(d)).isEqualTo("UnrecognizedClientException");
    }
  }

  @Test
  void aDetachedDeletedOrReplacedPolicyStopsAllowingOnTheNextRequest() {
    AwsCredentials lee = user("lee");
    String arn =
        admin
            .createPolicy(
                p -> p.policyName("lee-get").policyDocument(allow("dynamodb:GetItem", "*")))
            .policy()
            .arn();
    try (DynamoDbClient d = server.dynamo(lee)) {
      assertThat(refusal(d)).isEqualTo("AccessDeniedException");
      admin.attachUserPolicy(a -> a.userName("lee").policyArn(arn));
      warm(d);
      admin.detachUserPolicy(a -> a.userName("lee").policyArn(arn));
      assertThat(refusal(d)).isEqualTo("AccessDeniedException");

      // A new default version that allows only another table takes effect at once.
      admin.attachUserPolicy(a -> a.userName("lee").policyArn(arn));
      warm(d);
      admin.createPolicyVersion(
          v ->
              v.policyArn(arn)
                  .policyDocument(allow("dynamodb:GetItem", TABLE_ARN + "-other"))
                  .setAsDefault(true));
      assertThat(refusal(d)).isEqualTo("AccessDeniedException");
      admin.detachUserPolicy(a -> a.userName("lee").policyArn(arn));

      // An inline policy: allowed, then its deletion, then a Deny added beside an Allow.
      admin.putUserPolicy(
          p -> p.userName("lee").policyName("inline").policyDocument(allow("dynamodb:*", "*")));
      warm(d);
      admin.deleteUserPolicy(p -> p.userName("lee").policyName("inline"));
      assertThat(refusal(d)).isEqualTo("AccessDeniedException");
      admin.putUserPolicy(
          p -> p.userName("lee").policyName("inline").policyDocument(allow("dynamodb:*", "*")));
      warm(d);
      admin.putUserPolicy(
          p ->
              p.userName("lee")
                  .policyName("deny")
                  .policyDocument(
                      RolesAndGroupsIntegrationTest.statement(
                          "Deny", "dynamodb:GetItem", TABLE_ARN)));
      assertThat(refusal(d)).isEqualTo("AccessDeniedException");
    }
  }

  @Test
  void aDeletedResourcePolicyStopsGrantingOnTheNextRequest() {
    AwsCredentials max = user("max");
    String grant =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
            + "\"arn:aws:iam::123456789012:user/max\"},\"Action\":\"dynamodb:GetItem\","
            + "\"Resource\":\""
            + TABLE_ARN
            + "\"}]}";
    try (DynamoDbClient d = server.dynamo(max)) {
      assertThat(refusal(d)).isEqualTo("AccessDeniedException");
      root.putResourcePolicy(p -> p.resourceArn(TABLE_ARN).policy(grant));
      warm(d);
      root.deleteResourcePolicy(p -> p.resourceArn(TABLE_ARN));
      assertThat(refusal(d)).isEqualTo("AccessDeniedException");

      // A table deleted and created again under its name starts without its policy.
      root.putResourcePolicy(p -> p.resourceArn(TABLE_ARN).policy(grant));
      warm(d);
      root.deleteTable(t -> t.tableName(TABLE));
      createTable();
      assertThat(refusal(d)).isEqualTo("AccessDeniedException");
    }
  }

  @Test
  void aResourcePolicyDenyTakesEffectOnTheNextRequest() {
    AwsCredentials ned = user("ned");
    admin.putUserPolicy(
        p -> p.userName("ned").policyName("all").policyDocument(allow("dynamodb:*", "*")));
    String deny =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":"
            + "\"arn:aws:iam::123456789012:user/ned\"},\"Action\":\"dynamodb:GetItem\","
            + "\"Resource\":\""
            + TABLE_ARN
            + "\"}]}";
    try (DynamoDbClient d = server.dynamo(ned)) {
      warm(d);
      root.putResourcePolicy(p -> p.resourceArn(TABLE_ARN).policy(deny));
      assertThat(refusal(d)).isEqualTo("AccessDeniedException");
      root.deleteResourcePolicy(p -> p.resourceArn(TABLE_ARN));
      warm(d);
    }
  }
}
