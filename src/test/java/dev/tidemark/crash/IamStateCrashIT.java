package dev.tidemark.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.audit.AuditReader;
import dev.tidemark.audit.AuditRecord;
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
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKeyMetadata;
import software.amazon.awssdk.services.iam.model.StatusType;

/**
 * Issue 12, "restart and kill -9 keep users, keys and policies": IAM state created through the AWS
 * SDK's IAM client (users, access keys, one deactivated, inline and managed policies, an
 * attachment, a detachment and a deletion) is killed with SIGKILL right after the last
 * acknowledgement, and the restarted server knows all of it: the IAM listings match, the keys
 * authenticate (or, the inactive one, do not), and the policies decide as before. The audit trail
 * holds a record of every acknowledged change, written before its answer.
 */
class IamStateCrashIT {
  private static final String ACCOUNT = "123456789012";
  private static final String TABLE_ARN = "arn:aws:dynamodb:us-east-1:" + ACCOUNT + ":table/Kept";

  @TempDir Path dir;

  @Test
  void usersKeysPoliciesAndAttachmentsSurviveKillNine() throws Exception {
    Path data = dir.resolve("data");
    String[] args = {
      "--auth",
      "iam",
      "--account",
      ACCOUNT,
      "--admin-credentials-file",
      dir.resolve("admin.credentials").toString()
    };
    int port = ServerProcess.freePort();
    ServerProcess server = ServerProcess.start(data, port, args);
    String[] admin =
        dev.tidemark.testkit.IamServerConfig.adminKey(dir.resolve("admin.credentials"));
    String readerKey;
    String readerSecret;
    String writerKey;
    String writerSecret;
    String inactiveKey;
    String inactiveSecret;
    String policyArn;
    try (IamClient iam = iam(port, admin);
        DynamoDbClient root = dynamo(port, admin[0], admin[1])) {
      ServerProcess.createTable(root, "Kept");
      root.putItem(r -> r.tableName("Kept").item(Map.of("pk", AttributeValue.fromS("a"))));
      // GET /tidemark/status is unsigned, so in IAM mode it must not answer: it would name the
      // tables (disk use, replication) to anyone who can reach the port.
      java.net.http.HttpResponse<String> status =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + port + "/tidemark/status"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(status.statusCode()).as(status.body()).isNotEqualTo(200);
      assertThat(status.body()).doesNotContain("Kept");
      iam.createUser(r -> r.userName("reader"));
      iam.createUser(r -> r.userName("writer"));
      iam.createUser(r -> r.userName("gone"));
      policyArn =
          iam.createPolicy(r -> r.policyName("read-kept").policyDocument(allow("dynamodb:GetItem")))
              .policy()
              .arn();
      String arn = policyArn;
      iam.attachUserPolicy(r -> r.userName("reader").policyArn(arn));
      iam.attachUserPolicy(r -> r.userName("writer").policyArn(arn));
      iam.detachUserPolicy(r -> r.userName("writer").policyArn(arn));
      iam.putUserPolicy(
          r -> r.userName("writer").policyName("write").policyDocument(allow("dynamodb:PutItem")));
      var k1 = iam.createAccessKey(r -> r.userName("reader")).accessKey();
      var k2 = iam.createAccessKey(r -> r.userName("writer")).accessKey();
      var k3 = iam.createAccessKey(r -> r.userName("writer")).accessKey();
      readerKey = k1.accessKeyId();
      readerSecret = k1.secretAccessKey();
      writerKey = k2.accessKeyId();
      writerSecret = k2.secretAccessKey();
      inactiveKey = k3.accessKeyId();
      inactiveSecret = k3.secretAccessKey();
      iam.updateAccessKey(
          r -> r.userName("writer").accessKeyId(k3.accessKeyId()).status(StatusType.INACTIVE));
      iam.deleteUser(r -> r.userName("gone"));
    }
    // Straight after the last acknowledgement: no shutdown hook, no flush.
    server.kill();

    server = ServerProcess.start(data, port, args);
    try (IamClient iam = iam(port, admin)) {
      assertThat(iam.listUsers().users())
          .extracting(u -> u.userName())
          .containsExactlyInAnyOrder("reader", "writer");
      assertThat(iam.listAccessKeys(r -> r.userName("writer")).accessKeyMetadata())
          .extracting(AccessKeyMetadata::accessKeyId, AccessKeyMetadata::status)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple(writerKey, StatusType.ACTIVE),
              org.assertj.core.groups.Tuple.tuple(inactiveKey, StatusType.INACTIVE));
      assertThat(iam.listAttachedUserPolicies(r -> r.userName("reader")).attachedPolicies())
          .extracting(p -> p.policyArn())
          .containsExactly(policyArn);
      assertThat(iam.listAttachedUserPolicies(r -> r.userName("writer")).attachedPolicies())
          .isEmpty();
      assertThat(iam.listUserPolicies(r -> r.userName("writer")).policyNames())
          .containsExactly("write");
      String doc =
          java.net.URLDecoder.decode(
              iam.getUserPolicy(r -> r.userName("writer").policyName("write")).policyDocument(),
              java.nio.charset.StandardCharsets.UTF_8);
      assertThat(doc).contains("dynamodb:PutItem");
    }
    try (DynamoDbClient reader = dynamo(port, readerKey, readerSecret);
        DynamoDbClient writer = dynamo(port, writerKey, writerSecret);
        DynamoDbClient inactive = dynamo(port, inactiveKey, inactiveSecret)) {
      Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS("a"));
      assertThat(reader.getItem(r -> r.tableName("Kept").key(key)).item()).isEqualTo(key);
      assertThat(code(() -> reader.putItem(r -> r.tableName("Kept").item(key))))
          .isEqualTo("AccessDeniedException");
      writer.putItem(r -> r.tableName("Kept").item(Map.of("pk", AttributeValue.fromS("b"))));
      assertThat(code(() -> writer.getItem(r -> r.tableName("Kept").key(key))))
          .as("the detached policy stays detached")
          .isEqualTo("AccessDeniedException");
      assertThat(code(() -> inactive.getItem(r -> r.tableName("Kept").key(key))))
          .isEqualTo("UnrecognizedClientException");
    } finally {
      server.close();
    }

    List<String> recorded = new ArrayList<>();
    AuditReader.read(
        data.resolve("audit"),
        AuditReader.Filter.ALL,
        r -> {
          if (r.outcome() == AuditRecord.Outcome.Success && !r.readOnly()) {
            recorded.add(r.action());
          }
        },
        null);
    assertThat(recorded)
        .containsSubsequence(
            "dynamodb:CreateTable",
            "iam:CreateUser",
            "iam:CreateUser",
            "iam:CreateUser",
            "iam:CreatePolicy",
            "iam:AttachUserPolicy",
            "iam:AttachUserPolicy",
            "iam:DetachUserPolicy",
            "iam:PutUserPolicy",
            "iam:CreateAccessKey",
            "iam:CreateAccessKey",
            "iam:CreateAccessKey",
            "iam:UpdateAccessKey",
            "iam:DeleteUser");
  }

  private static String allow(String action) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\""
        + action
        + "\",\"Resource\":\""
        + TABLE_ARN
        + "\"}]}";
  }

  private static String code(Runnable call) {
    try {
      call.run();
    } catch (DynamoDbException e) {
      return e.awsErrorDetails().errorCode();
    }
    throw new AssertionError("the call was allowed");
  }

  private static IamClient iam(int port, String[] admin) {
    return IamClient.builder()
        .endpointOverride(URI.create("http://127.0.0.1:" + port))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(admin[0], admin[1])))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  private static DynamoDbClient dynamo(int port, String id, String secret) {
    return DynamoDbClient.builder()
        .endpointOverride(URI.create("http://127.0.0.1:" + port))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret)))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }
}
