package dev.tidemark.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.auth.PolicyEvaluator.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Protects how a table's resource-based policy combines with identity-based policies, as IAM's
 * evaluation logic says: in the same account either may allow (an Allow naming only the account
 * delegates to identity policies), an explicit Deny in either wins; across accounts both must
 * allow, and the refusal says which one did not. Also the root's one binding: a resource-policy
 * Deny.
 */
class ResourcePolicyEvaluationTest {
  private static final String HOME = "111111111111";
  private static final String TABLE = "arn:aws:dynamodb:us-east-1:" + HOME + ":table/Shared";
  private static final Principal ALICE = new Principal(HOME, "alice", "AIDAALICE", "AKIAALICE");
  private static final Principal ROOT = new Principal(HOME, null, HOME, "AKIAROOT");
  // A user of another account: no caller of one server is, so the rule is proved here.
  private static final Principal STRANGER =
      new Principal("222222222222", "sam", "AIDASAM", "AKIASAM");

  private static PolicyDocument identity(String effect, String action) throws Exception {
    return PolicyDocument.parse(
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\""
            + effect
            + "\",\"Action\":\""
            + action
            + "\",\"Resource\":\"*\"}}");
  }

  private static PolicyDocument resource(String effect, String principal, String action)
      throws Exception {
    return PolicyDocument.parse(
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\""
            + effect
            + "\",\"Principal\":{\"AWS\":\""
            + principal
            + "\"},\"Action\":\""
            + action
            + "\",\"Resource\":\""
            + TABLE
            + "\"}}",
        PolicyDocument.Kind.RESOURCE);
  }

  private static Verdict decide(
      List<PolicyDocument> identity, PolicyDocument rp, Principal caller) {
    return PolicyEvaluator.decide(
        identity,
        new Check("dynamodb:GetItem", TABLE, new Facts(), rp, false),
        caller,
        new Facts());
  }

  @Test
  void sameAccountEitherPolicyAllows() throws Exception {
    PolicyDocument namesAlice =
        resource("Allow", "arn:aws:iam::" + HOME + ":user/alice", "dynamodb:GetItem");
    assertThat(decide(List.of(), namesAlice, ALICE)).isEqualTo(Verdict.ALLOW);
    assertThat(decide(List.of(identity("Allow", "dynamodb:GetItem")), null, ALICE))
        .isEqualTo(Verdict.ALLOW);
    // Naming the account only delegates to the account's identity policies.
    PolicyDocument namesAccount = resource("Allow", HOME, "dynamodb:GetItem");
    assertThat(decide(List.of(), namesAccount, ALICE)).isEqualTo(Verdict.NO_IDENTITY_ALLOW);
    assertThat(decide(List.of(identity("Allow", "dynamodb:*")), namesAccount, ALICE))
        .isEqualTo(Verdict.ALLOW);
    // A policy naming someone else does nothing for alice.
    PolicyDocument namesBob =
        resource("Allow", "arn:aws:iam::" + HOME + ":user/bob", "dynamodb:GetItem");
    assertThat(decide(List.of(), namesBob, ALICE)).isEqualTo(Verdict.NO_IDENTITY_ALLOW);
  }

  @Test
  void explicitDenyInEitherWins() throws Exception {
    PolicyDocument deny = resource("Deny", "arn:aws:iam::" + HOME + ":user/alice", "dynamodb:*");
    assertThat(decide(List.of(identity("Allow", "dynamodb:*")), deny, ALICE))
        .isEqualTo(Verdict.RESOURCE_DENY);
    PolicyDocument allow = resource("Allow", "arn:aws:iam::" + HOME + ":user/alice", "dynamodb:*");
    assertThat(decide(List.of(identity("Deny", "dynamodb:GetItem")), allow, ALICE))
        .isEqualTo(Verdict.IDENTITY_DENY);
  }

  @Test
  void crossAccountNeedsBoth() throws Exception {
    PolicyDocument namesSam =
        resource("Allow", "arn:aws:iam::222222222222:user/sam", "dynamodb:GetItem");
    assertThat(decide(List.of(), namesSam, STRANGER)).isEqualTo(Verdict.NO_IDENTITY_ALLOW);
    assertThat(decide(List.of(identity("Allow", "dynamodb:*")), null, STRANGER))
        .isEqualTo(Verdict.NO_RESOURCE_ALLOW);
    assertThat(decide(List.of(identity("Allow", "dynamodb:*")), namesSam, STRANGER))
        .isEqualTo(Verdict.ALLOW);
    // The other account named as a whole: its administrator delegates to its identity policies.
    PolicyDocument namesTheirAccount = resource("Allow", "222222222222", "dynamodb:GetItem");
    assertThat(decide(List.of(identity("Allow", "dynamodb:*")), namesTheirAccount, STRANGER))
        .isEqualTo(Verdict.ALLOW);
    // A resource policy naming only the home account grants a stranger nothing.
    assertThat(
            decide(
                List.of(identity("Allow", "dynamodb:*")),
                resource("Allow", HOME, "dynamodb:GetItem"),
                STRANGER))
        .isEqualTo(Verdict.NO_RESOURCE_ALLOW);
    assertThat(
            AccessControl.denied(STRANGER, "dynamodb:GetItem", TABLE, Verdict.NO_RESOURCE_ALLOW)
                .getMessage())
        .isEqualTo(
            "User: arn:aws:iam::222222222222:user/sam is not authorized to perform:"
                + " dynamodb:GetItem on resource: "
                + TABLE
                + " because no resource-based policy allows the dynamodb:GetItem action");
  }

  @Test
  void theRootIsBoundOnlyByAResourcePolicyDeny() throws Exception {
    Check get = new Check("dynamodb:GetItem", TABLE);
    assertThat(
            PolicyEvaluator.resourceDenies(
                resource("Deny", "*", "dynamodb:GetItem"), get, ROOT, new Facts()))
        .isTrue();
    assertThat(
            PolicyEvaluator.resourceDenies(
                resource("Deny", "arn:aws:iam::" + HOME + ":user/alice", "dynamodb:GetItem"),
                get,
                ROOT,
                new Facts()))
        .isFalse();
  }

  @Test
  void accountOfAnArnIsReadWithoutParsing() {
    assertThat(PolicyEvaluator.sameAccount(TABLE, HOME)).isTrue();
    assertThat(PolicyEvaluator.sameAccount(TABLE, "222222222222")).isFalse();
    assertThat(PolicyEvaluator.sameAccount("*", HOME)).isTrue();
    assertThat(PolicyEvaluator.sameAccount("arn:aws:s3:::bucket/key", HOME)).isTrue();
    assertThat(PolicyEvaluator.sameAccount("arn:aws:iam::" + HOME + ":user/alice", HOME)).isTrue();
    assertThat(PolicyEvaluator.sameAccount("arn:aws:iam::11111111111:user/x", HOME)).isFalse();
  }
}
