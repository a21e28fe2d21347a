package dev.tidemark.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.iam.model.DeleteConflictException;
import software.amazon.awssdk.services.iam.model.EntityAlreadyExistsException;
import software.amazon.awssdk.services.iam.model.LimitExceededException;
import software.amazon.awssdk.services.iam.model.ListUsersResponse;
import software.amazon.awssdk.services.iam.model.MalformedPolicyDocumentException;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.User;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * Protects groups, roles, AssumeRole, temporary credentials and managed policy versions, driven by
 * the AWS SDK's own IamClient, StsClient and DynamoDbClient against a live IAM-mode server whose
 * clock the test moves: group policies decide for members (and stop when membership ends, and an
 * explicit Deny in a group beats a user's Allow); a role is assumed only when its trust policy and
 * the caller's policies say so; the session's credentials carry the role's permissions, name the
 * assumed-role ARN, need their session token, survive a restart, and are refused as expired exactly
 * when they expire; a deactivated key is refused at once; policy versions change decisions; list
 * operations page. AWS's error types and messages are asserted verbatim.
 */
class RolesAndGroupsIntegrationTest {
  static final String TABLE = "Items";
  static final String TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/" + TABLE;
  static ClockedIamServer server;
  static IamClient admin;

  @BeforeAll
  static void start() throws Exception {
    server = new ClockedIamServer();
    AwsCredentials root = AwsBasicCredentials.create(server.root.key().id(), server.root.secret());
    admin = server.iam(root);
    try (DynamoDbClient d = server.dynamo(root)) {
      d.createTable(
          c ->
              c.tableName(TABLE)
                  .keySchema(KeySchemaElement.builder().attributeName("pk").keyType("HASH").build())
                  .attributeDefinitions(
                      AttributeDefinition.builder().attributeName("pk").attributeType("S").build())
                  .billingMode("PAY_PER_REQUEST"));
    }
  }

  @AfterAll
  static void stop() {
    admin.close();
    server.close();
  }

  static String allow(String action, String resource) {
    return statement("Allow", action, resource);
  }

  static String statement(String effect, String action, String resource) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\""
        + effect
        + "\",\"Action\":\""
        + action
        + "\",\"Resource\":\""
        + resource
        + "\"}]}";
  }

  static String trust(String principalArn) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
        + principalArn
        + "\"},\"Action\":\"sts:AssumeRole\"}]}";
  }

  static AwsCredentials newUser(String name) {
    admin.createUser(u -> u.userName(name));
    AccessKey k = admin.createAccessKey(r -> r.userName(name)).accessKey();
    return AwsBasicCredentials.create(k.accessKeyId(), k.secretAccessKey());
  }

  static <T extends Throwable> T refused(Class<T> type, Runnable call) {
    T e = catchThrowableOfType(type, call::run);
    assertThat(e).as("refused").isNotNull();
    return e;
  }

  static String message(Class<? extends AwsServiceException> type, Runnable call) {
    return refused(type, call).awsErrorDetails().errorMessage();
  }

  static String code(Runnable call) {
    return refused(AwsServiceException.class, call).awsErrorDetails().errorCode();
  }

  static void put(DynamoDbClient d, String pk) {
    d.putItem(p -> p.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS(pk))));
  }

  static boolean get(DynamoDbClient d, String pk) {
    return d.getItem(g -> g.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS(pk)))).hasItem();
  }

  // A group's policies are its members' policies, from the next request on; leaving the group
  // takes them away at once; an explicit Deny in a group beats an Allow in the user's own policy.
  @Test
  void groupMembershipGrantsAndRevokingItDenies() throws Exception {
    AwsCredentials gus = newUser("gus");
    admin.createGroup(g -> g.groupName("writers"));
    admin.putGroupPolicy(
        p ->
            p.groupName("writers")
                .policyName("put")
                .policyDocument(allow("dynamodb:PutItem", TABLE_ARN)));
    try (DynamoDbClient d = server.dynamo(gus)) {
      assertThat(code(() -> put(d, "g1"))).isEqualTo("AccessDeniedException");
      admin.addUserToGroup(a -> a.groupName("writers").userName("gus"));
      put(d, "g1");
      // Groups, memberships and their policies are durable: a restart keeps the grant.
      server.restart();
      try (DynamoDbClient afterRestart = server.dynamo(gus)) {
        put(afterRestart, "g1");
      }
      assertThat(admin.listGroupsForUser(l -> l.userName("gus")).groups())
          .extracting(g -> g.groupName())
          .containsExactly("writers");
      assertThat(admin.getGroup(g -> g.groupName("writers")).users())
          .extracting(User::userName)
          .containsExactly("gus");

      // A managed policy with a Deny, attached to another group, beats gus's own Allow.
      admin.putUserPolicy(
          p ->
              p.userName("gus")
                  .policyName("get")
                  .policyDocument(allow("dynamodb:GetItem", TABLE_ARN)));
      assertThat(get(d, "g1")).isTrue();
      String denyArn =
          admin
              .createPolicy(
                  p ->
                      p.policyName("no-get")
                          .policyDocument(statement("Deny", "dynamodb:GetItem", "*")))
              .policy()
              .arn();
      admin.createGroup(g -> g.groupName("auditors"));
      admin.attachGroupPolicy(a -> a.groupName("auditors").policyArn(denyArn));
      admin.addUserToGroup(a -> a.groupName("auditors").userName("gus"));
      AwsServiceException denied = refused(AwsServiceException.class, () -> get(d, "g1"));
      assertThat(denied.awsErrorDetails().errorMessage())
          .isEqualTo(
              "User: arn:aws:iam::123456789012:user/gus is not authorized to perform:"
                  + " dynamodb:GetItem on resource: "
                  + TABLE_ARN
                  + " with an explicit deny in an identity-based policy");

      admin.removeUserFromGroup(r -> r.groupName("writers").userName("gus"));
      assertThat(code(() -> put(d, "g2"))).isEqualTo("AccessDeniedException");
      admin.removeUserFromGroup(r -> r.groupName("auditors").userName("gus"));
      assertThat(get(d, "g1")).isTrue();
    }

    assertThat(
            message(
                EntityAlreadyExistsException.class,
                () -> admin.createGroup(g -> g.groupName("WRITERS"))))
        .isEqualTo("Group with name WRITERS already exists.");
    assertThat(
            message(NoSuchEntityException.class, () -> admin.getGroup(g -> g.groupName("nobody"))))
        .isEqualTo("The group with name nobody cannot be found.");
    admin.addUserToGroup(a -> a.groupName("writers").userName("gus"));
    assertThat(
            message(
                DeleteConflictException.class,
                () -> admin.deleteGroup(g -> g.groupName("writers"))))
        .isEqualTo("Cannot delete entity, must remove users from group first.");
    admin.removeUserFromGroup(r -> r.groupName("writers").userName("gus"));
    assertThat(
            message(
                DeleteConflictException.class,
                () -> admin.deleteGroup(g -> g.groupName("writers"))))
        .isEqualTo("Cannot delete entity, must delete policies first.");
    admin.deleteGroupPolicy(p -> p.groupName("writers").policyName("put"));
    admin.deleteGroup(g -> g.groupName("writers"));
    assertThat(admin.listGroups().groups())
        .extracting(g -> g.groupName())
        .containsExactly("auditors");
  }

  // A role is assumed only when its trust policy allows the caller: naming the account delegates
  // to the caller's identity policies (which must allow sts:AssumeRole on the role); naming the
  // user itself suffices on its own, as AWS documents for the same account.
  @Test
  void assumeRoleNeedsTheTrustPolicyAndTheCallersPermission() {
    AwsCredentials rita = newUser("rita");
    String roleArn =
        admin
            .createRole(
                r ->
                    r.roleName("reader")
                        .assumeRolePolicyDocument(trust("arn:aws:iam::123456789012:root")))
            .role()
            .arn();
    assertThat(roleArn).isEqualTo("arn:aws:iam::123456789012:role/reader");
    try (StsClient sts = server.sts(rita)) {
      AwsServiceException noPermission =
          refused(
              AwsServiceException.class,
              () -> sts.assumeRole(a -> a.roleArn(roleArn).roleSessionName("s1")));
      assertThat(noPermission.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
      assertThat(noPermission.awsErrorDetails().errorMessage())
          .isEqualTo(
              "User: arn:aws:iam::123456789012:user/rita is not authorized to perform:"
                  + " sts:AssumeRole on resource: "
                  + roleArn
                  + " because no identity-based policy allows the sts:AssumeRole action");
      admin.putUserPolicy(
          p ->
              p.userName("rita")
                  .policyName("assume")
                  .policyDocument(allow("sts:AssumeRole", roleArn)));
      assertThat(sts.assumeRole(a -> a.roleArn(roleArn).roleSessionName("s1")).credentials())
          .isNotNull();

      // A trust policy that names someone else refuses rita whatever her own policies say.
      admin.updateAssumeRolePolicy(
          u -> u.roleName("reader").policyDocument(trust("arn:aws:iam::123456789012:user/other")));
      assertThat(
              message(
                  AwsServiceException.class,
                  () -> sts.assumeRole(a -> a.roleArn(roleArn).roleSessionName("s1"))))
          .endsWith(" because no resource-based policy allows the sts:AssumeRole action");
      // Naming rita herself is enough, without any identity policy.
      admin.deleteUserPolicy(p -> p.userName("rita").policyName("assume"));
      admin.updateAssumeRolePolicy(
          u -> u.roleName("reader").policyDocument(trust("arn:aws:iam::123456789012:user/rita")));
      assertThat(sts.assumeRole(a -> a.roleArn(roleArn).roleSessionName("s1")).credentials())
          .isNotNull();
      // A role that does not exist is refused like one that does not trust the caller.
      assertThat(
              code(
                  () ->
                      sts.assumeRole(
                          a ->
                              a.roleArn("arn:aws:iam::123456789012:role/nothing")
                                  .roleSessionName("s1"))))
          .isEqualTo("AccessDenied");
      AwsServiceException tooShort =
          refused(
              AwsServiceException.class,
              () ->
                  sts.assumeRole(
                      a -> a.roleArn(roleArn).roleSessionName("s1").durationSeconds(899)));
      assertThat(tooShort.awsErrorDetails().errorMessage())
          .isEqualTo(
              "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy"
                  + " constraint: Member must have value greater than or equal to 900");
      assertThat(
              refused(
                      AwsServiceException.class,
                      () ->
                          sts.assumeRole(
                              a -> a.roleArn(roleArn).roleSessionName("s1").durationSeconds(7200)))
                  .awsErrorDetails()
                  .errorMessage())
          .isEqualTo(
              "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    }
    assertThat(
            refused(
                    MalformedPolicyDocumentException.class,
                    () ->
                        admin.createRole(
                            r ->
                                r.roleName("bad")
                                    .assumeRolePolicyDocument(allow("sts:AssumeRole", "*"))))
                .awsErrorDetails()
                .errorMessage())
        .isEqualTo("Missing required field Principal");
  }

  // Temporary credentials carry the role's permissions under the assumed-role ARN, need their
  // session token, keep working across a restart (nothing is stored: the token is sealed), and
  // are refused as expired from the second they expire. The server's clock is moved, no sleeps.
  @Test
  void assumedRoleCredentialsWorkUntilTheyExpire() throws Exception {
    AwsCredentials sam = newUser("sam");
    String roleArn =
        admin
            .createRole(
                r ->
                    r.roleName("putter")
                        .assumeRolePolicyDocument(trust("arn:aws:iam::123456789012:user/sam")))
            .role()
            .arn();
    admin.putRolePolicy(
        p ->
            p.roleName("putter")
                .policyName("put")
                .policyDocument(allow("dynamodb:PutItem", TABLE_ARN)));
    Credentials c;
    try (StsClient sts = server.sts(sam)) {
      c =
          sts.assumeRole(a -> a.roleArn(roleArn).roleSessionName("job-7").durationSeconds(900))
              .credentials();
    }
    assertThat(c.accessKeyId()).startsWith("ASIA").hasSize(20);
    assertThat(c.expiration())
        .isBetween(
            Instant.ofEpochMilli(server.now()).plusSeconds(890),
            Instant.ofEpochMilli(server.now()).plusSeconds(900));
    AwsSessionCredentials session =
        AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken());
    try (StsClient sts = server.sts(session);
        DynamoDbClient d = server.dynamo(session)) {
      assertThat(sts.getCallerIdentity().arn())
          .isEqualTo("arn:aws:sts::123456789012:assumed-role/putter/job-7");
      put(d, "r1");
      AwsServiceException get = refused(AwsServiceException.class, () -> get(d, "r1"));
      assertThat(get.awsErrorDetails().errorMessage())
          .isEqualTo(
              "User: arn:aws:sts::123456789012:assumed-role/putter/job-7 is not authorized to"
                  + " perform: dynamodb:GetItem on resource: "
                  + TABLE_ARN
                  + " because no identity-based policy allows the dynamodb:GetItem action");

      server.restart();
      try (DynamoDbClient again = server.dynamo(session)) {
        put(again, "r2");
      }
    }
    try (DynamoDbClient noToken =
            server.dynamo(AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey()));
        DynamoDbClient forged =
            server.dynamo(
                AwsSessionCredentials.create(
                    c.accessKeyId(), c.secretAccessKey(), "x" + c.sessionToken().substring(1)))) {
      assertThat(code(() -> put(noToken, "r3"))).isEqualTo("UnrecognizedClientException");
      assertThat(code(() -> put(forged, "r3"))).isEqualTo("UnrecognizedClientException");
    }

    long untilExpiry = c.expiration().toEpochMilli() - server.now();
    server.offset.addAndGet(untilExpiry - 1000);
    try (DynamoDbClient d = server.dynamo(session)) {
      put(d, "r4"); // a second before expiry: still good
      server.offset.addAndGet(1000);
      AwsServiceException expired = refused(AwsServiceException.class, () -> put(d, "r5"));
      assertThat(expired.awsErrorDetails().errorCode()).isEqualTo("ExpiredTokenException");
      assertThat(expired.awsErrorDetails().errorMessage())
          .isEqualTo("The security token included in the request is expired");
    } finally {
      server.offset.set(0);
    }
    try (StsClient sts = server.sts(session)) {
      server.offset.set(Duration.ofMinutes(16).toMillis());
      assertThat(code(sts::getCallerIdentity)).isEqualTo("ExpiredToken");
    } finally {
      server.offset.set(0);
    }

    // Deleting the role ends its sessions at once, even unexpired ones.
    Credentials fresh;
    try (StsClient sts = server.sts(sam)) {
      fresh = sts.assumeRole(a -> a.roleArn(roleArn).roleSessionName("job-8")).credentials();
    }
    admin.deleteRolePolicy(p -> p.roleName("putter").policyName("put"));
    admin.deleteRole(r -> r.roleName("putter"));
    try (DynamoDbClient d =
        server.dynamo(
            AwsSessionCredentials.create(
                fresh.accessKeyId(), fresh.secretAccessKey(), fresh.sessionToken()))) {
      assertThat(code(() -> put(d, "r6"))).isEqualTo("UnrecognizedClientException");
    }
  }

  // A role session may assume a role that trusts its role (chaining), for at most an hour; the
  // account root may assume none, as on AWS.
  @Test
  void chainingIsLimitedToAnHourAndRootCannotAssume() {
    AwsCredentials cid = newUser("cid");
    admin.createRole(
        r ->
            r.roleName("first")
                .assumeRolePolicyDocument(trust("arn:aws:iam::123456789012:user/cid")));
    String second =
        admin
            .createRole(
                r ->
                    r.roleName("second")
                        .maxSessionDuration(7200)
                        .assumeRolePolicyDocument(trust("arn:aws:iam::123456789012:role/first")))
            .role()
            .arn();
    Credentials c;
    try (StsClient sts = server.sts(cid)) {
      c =
          sts.assumeRole(
                  a -> a.roleArn("arn:aws:iam::123456789012:role/first").roleSessionName("one"))
              .credentials();
    }
    try (StsClient chained =
        server.sts(
            AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken()))) {
      assertThat(
              message(
                  AwsServiceException.class,
                  () ->
                      chained.assumeRole(
                          a -> a.roleArn(second).roleSessionName("two").durationSeconds(3601))))
          .isEqualTo(
              "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by"
                  + " role chaining.");
      assertThat(
              chained
                  .assumeRole(a -> a.roleArn(second).roleSessionName("two"))
                  .assumedRoleUser()
                  .arn())
          .isEqualTo("arn:aws:sts::123456789012:assumed-role/second/two");
    }
    try (StsClient rootSts =
        server.sts(AwsBasicCredentials.create(server.root.key().id(), server.root.secret()))) {
      assertThat(
              message(
                  AwsServiceException.class,
                  () -> rootSts.assumeRole(a -> a.roleArn(second).roleSessionName("root"))))
          .isEqualTo("Roles may not be assumed by root accounts.");
    }
  }

  // UpdateAccessKey to Inactive is in force for the very next request.
  @Test
  void aDeactivatedKeyIsRefusedAtOnce() {
    AwsCredentials kim = newUser("kim");
    admin.putUserPolicy(
        p ->
            p.userName("kim")
                .policyName("get")
                .policyDocument(allow("dynamodb:GetItem", TABLE_ARN)));
    try (DynamoDbClient d = server.dynamo(kim)) {
      get(d, "x");
      admin.updateAccessKey(
          u -> u.userName("kim").accessKeyId(kim.accessKeyId()).status("Inactive"));
      assertThat(code(() -> get(d, "x"))).isEqualTo("UnrecognizedClientException");
      admin.updateAccessKey(u -> u.userName("kim").accessKeyId(kim.accessKeyId()).status("Active"));
      get(d, "x");
    }
  }

  // The default version decides; versions are capped at five; the default cannot be deleted, nor
  // a policy that still has other versions.
  @Test
  void policyVersionsDecideThroughTheDefault() {
    AwsCredentials vic = newUser("vic");
    String arn =
        admin
            .createPolicy(
                p -> p.policyName("versioned").policyDocument(allow("dynamodb:GetItem", TABLE_ARN)))
            .policy()
            .arn();
    admin.attachUserPolicy(a -> a.userName("vic").policyArn(arn));
    try (DynamoDbClient d = server.dynamo(vic)) {
      get(d, "v");
      assertThat(
              admin
                  .createPolicyVersion(
                      v ->
                          v.policyArn(arn)
                              .policyDocument(allow("dynamodb:PutItem", TABLE_ARN))
                              .setAsDefault(true))
                  .policyVersion()
                  .versionId())
          .isEqualTo("v2");
      assertThat(code(() -> get(d, "v"))).isEqualTo("AccessDeniedException");
      put(d, "v");
      admin.setDefaultPolicyVersion(s -> s.policyArn(arn).versionId("v1"));
      get(d, "v");
    }
    assertThat(admin.getPolicy(g -> g.policyArn(arn)).policy().defaultVersionId()).isEqualTo("v1");
    // IAM answers documents URL-encoded; the CLI decodes them, SDK users do it themselves.
    assertThat(
            URLDecoder.decode(
                admin
                    .getPolicyVersion(g -> g.policyArn(arn).versionId("v2"))
                    .policyVersion()
                    .document(),
                StandardCharsets.UTF_8))
        .contains("dynamodb:PutItem");
    for (int i = 0; i < 3; i++) {
      admin.createPolicyVersion(v -> v.policyArn(arn).policyDocument(allow("dynamodb:Query", "*")));
    }
    assertThat(admin.listPolicyVersions(l -> l.policyArn(arn)).versions())
        .extracting(v -> v.versionId())
        .containsExactly("v5", "v4", "v3", "v2", "v1");
    assertThat(
            refused(
                    LimitExceededException.class,
                    () ->
                        admin.createPolicyVersion(
                            v -> v.policyArn(arn).policyDocument(allow("dynamodb:Query", "*"))))
                .awsErrorDetails()
                .errorMessage())
        .isEqualTo(
            "A managed policy can have up to 5 versions. Before you create a new version, you must"
                + " delete an existing version.");
    assertThat(
            message(
                DeleteConflictException.class,
                () -> admin.deletePolicyVersion(d -> d.policyArn(arn).versionId("v1"))))
        .isEqualTo("Cannot delete the default version of a policy.");
    admin.deletePolicyVersion(d -> d.policyArn(arn).versionId("v3"));
    // Ids are never reused: the next version is v6.
    assertThat(
            admin
                .createPolicyVersion(
                    v -> v.policyArn(arn).policyDocument(allow("dynamodb:Query", "*")))
                .policyVersion()
                .versionId())
        .isEqualTo("v6");
    assertThat(
            message(
                NoSuchEntityException.class,
                () -> admin.getPolicyVersion(g -> g.policyArn(arn).versionId("v3"))))
        .isEqualTo("Policy " + arn + " version v3 does not exist or is not attachable.");
    admin.detachUserPolicy(a -> a.userName("vic").policyArn(arn));
    assertThat(
            refused(DeleteConflictException.class, () -> admin.deletePolicy(d -> d.policyArn(arn))))
        .hasMessageContaining("This policy has more than one version.");
  }

  // Marker and MaxItems page a list; the SDK's paginator walks every page.
  @Test
  void listsArePaged() {
    for (int i = 0; i < 5; i++) {
      String name = "page-" + i;
      admin.createUser(u -> u.userName(name).path("/paged/"));
    }
    ListUsersResponse first = admin.listUsers(l -> l.pathPrefix("/paged/").maxItems(2));
    assertThat(first.isTruncated()).isTrue();
    assertThat(first.users()).extracting(User::userName).containsExactly("page-0", "page-1");
    ListUsersResponse second =
        admin.listUsers(l -> l.pathPrefix("/paged/").maxItems(2).marker(first.marker()));
    assertThat(second.users()).extracting(User::userName).containsExactly("page-2", "page-3");
    List<String> all = new ArrayList<>();
    admin
        .listUsersPaginator(l -> l.pathPrefix("/paged/").maxItems(2))
        .users()
        .forEach(u -> all.add(u.userName()));
    assertThat(all).containsExactly("page-0", "page-1", "page-2", "page-3", "page-4");
    assertThat(message(AwsServiceException.class, () -> admin.listUsers(l -> l.maxItems(0))))
        .isEqualTo(
            "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint:"
                + " Member must have value greater than or equal to 1");
  }
}
