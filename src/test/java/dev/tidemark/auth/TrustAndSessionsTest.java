package dev.tidemark.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.auth.PolicyEvaluator.Verdict;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Protects the two halves of roles below the wire: how a trust (resource-based) policy combines
 * with identity policies for a caller of the same account (naming the caller allows alone, naming
 * the account delegates to identity policies, an explicit Deny in either wins, NotPrincipal), what
 * trust policies must and must not contain, and that a session token opens only for the access key
 * it was issued with, under a master key of the server's ring (rotation included), and never as
 * anything else.
 */
class TrustAndSessionsTest {
  static final String ACCOUNT = "123456789012";
  static final String ROLE = "arn:aws:iam::" + ACCOUNT + ":role/r";
  static final Principal ALICE = new Principal(ACCOUNT, "alice", "AIDAALICE", "AKIAALICE");
  static final PolicyDocument MAY_ASSUME = identity("Allow", "sts:AssumeRole", ROLE);

  static PolicyDocument identity(String effect, String action, String resource) {
    try {
      return PolicyDocument.parse(
          "{\"Statement\":{\"Effect\":\""
              + effect
              + "\",\"Action\":\""
              + action
              + "\",\"Resource\":\""
              + resource
              + "\"}}");
    } catch (PolicyDocument.MalformedPolicyException e) {
      throw new AssertionError(e);
    }
  }

  static PolicyDocument trust(String statements) throws Exception {
    return PolicyDocument.parse(
        "{\"Version\":\"2012-10-17\",\"Statement\":[" + statements + "]}",
        PolicyDocument.Kind.TRUST);
  }

  static String statement(String effect, String principal) {
    return "{\"Effect\":\""
        + effect
        + "\",\"Principal\":"
        + principal
        + ",\"Action\":\"sts:AssumeRole\"}";
  }

  static Verdict decide(List<PolicyDocument> identity, PolicyDocument trust) {
    return PolicyEvaluator.decide(
        identity, new Check("sts:AssumeRole", ROLE, new Facts(), trust, true), ALICE, new Facts());
  }

  @Test
  void aTrustPolicyNamingTheCallerAllowsOnItsOwn() throws Exception {
    PolicyDocument names =
        trust(statement("Allow", "{\"AWS\":\"arn:aws:iam::123456789012:user/alice\"}"));
    assertThat(decide(List.of(), names)).isEqualTo(Verdict.ALLOW);
    assertThat(decide(List.of(), trust(statement("Allow", "\"*\"")))).isEqualTo(Verdict.ALLOW);
    // An explicit Deny in the caller's own policies still wins.
    assertThat(decide(List.of(identity("Deny", "sts:*", "*")), names))
        .isEqualTo(Verdict.IDENTITY_DENY);
  }

  @Test
  void aTrustPolicyNamingTheAccountNeedsTheCallersPermissionToo() throws Exception {
    for (String account : List.of("\"123456789012\"", "\"arn:aws:iam::123456789012:root\"")) {
      PolicyDocument t = trust(statement("Allow", "{\"AWS\":" + account + "}"));
      assertThat(decide(List.of(), t)).isEqualTo(Verdict.NO_IDENTITY_ALLOW);
      assertThat(decide(List.of(MAY_ASSUME), t)).isEqualTo(Verdict.ALLOW);
    }
  }

  @Test
  void withoutTrustNoPermissionAssumesAndADenyInTheTrustPolicyWins() throws Exception {
    PolicyDocument other =
        trust(statement("Allow", "{\"AWS\":\"arn:aws:iam::123456789012:user/bob\"}"));
    assertThat(decide(List.of(MAY_ASSUME), other)).isEqualTo(Verdict.NO_RESOURCE_ALLOW);
    assertThat(decide(List.of(MAY_ASSUME), null)).isEqualTo(Verdict.NO_RESOURCE_ALLOW);
    assertThat(decide(List.of(), trust(statement("Allow", "{\"Service\":\"ec2.amazonaws.com\"}"))))
        .isEqualTo(Verdict.NO_RESOURCE_ALLOW);
    PolicyDocument denied =
        trust(
            statement("Allow", "{\"AWS\":\"123456789012\"}")
                + ","
                + statement("Deny", "{\"AWS\":\"arn:aws:iam::123456789012:user/alice\"}"));
    assertThat(decide(List.of(MAY_ASSUME), denied)).isEqualTo(Verdict.RESOURCE_DENY);
    // NotPrincipal: a Deny for everyone but bob reaches alice.
    PolicyDocument notBob =
        trust(
            statement("Allow", "\"*\"")
                + ",{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::123456789012:user/bob\"},"
                + "\"Action\":\"sts:AssumeRole\"}");
    assertThat(decide(List.of(), notBob)).isEqualTo(Verdict.RESOURCE_DENY);
  }

  @Test
  void trustPoliciesNeedPrincipalsAndNoResource() {
    assertThatThrownBy(() -> trust("{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\"}"))
        .hasMessage("Missing required field Principal");
    assertThatThrownBy(
            () ->
                trust(
                    "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\","
                        + "\"Resource\":\"*\"}"))
        .hasMessage("Has prohibited field Resource");
    assertThatThrownBy(
            () ->
                PolicyDocument.parse(
                    "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\","
                        + "\"Action\":\"dynamodb:*\",\"Resource\":\"*\"}}"))
        .hasMessage("Policy document should not specify a principal.");
  }

  static byte[] key(int fill) {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) fill);
    return k;
  }

  @Test
  void aSessionTokenOpensOnlyForItsKeyUnderTheServersKeys() {
    Principal.RoleSession s =
        new Principal.RoleSession("r", "/", "AROAROLE", "job", 1_000L, 901_000L);
    SessionTokens issuer = new SessionTokens(new SecretSealer(key(1)));
    String token = issuer.issue("ASIAONE", "secret", s);

    SessionTokens.Opened opened =
        new SessionTokens(new SecretSealer(key(1))).open("ASIAONE", token);
    assertThat(opened.secret()).isEqualTo("secret");
    assertThat(opened.session()).isEqualTo(s);
    // After a rotation the old key is still in the ring.
    assertThat(new SessionTokens(new SecretSealer(List.of(key(2), key(1)))).open("ASIAONE", token))
        .isEqualTo(opened);

    assertThat(issuer.open("ASIATWO", token)).isNull();
    assertThat(new SessionTokens(new SecretSealer(key(2))).open("ASIAONE", token)).isNull();
    assertThat(issuer.open("ASIAONE", token.substring(0, token.length() - 4) + "AAAA")).isNull();
    assertThat(issuer.open("ASIAONE", "not base64 at all!")).isNull();
    // A token is no sealed secret access key, and the other way round.
    assertThatThrownBy(() -> new SecretSealer(key(1)).unseal("ASIAONE", token))
        .isInstanceOf(IllegalStateException.class);
    String sealedSecret = new SecretSealer(key(1)).seal("ASIAONE", "x");
    assertThat(issuer.open("ASIAONE", sealedSecret)).isNull();
  }
}
