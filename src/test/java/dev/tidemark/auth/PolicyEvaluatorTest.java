package dev.tidemark.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.auth.PolicyEvaluator.Decision;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Protects IAM's evaluation rules as this server applies them: Deny beats Allow, no Allow denies,
 * NotAction/NotResource and wildcards, the condition operators with IfExists and the set
 * qualifiers, policy variables, and the safe direction for anything not supported.
 */
class PolicyEvaluatorTest {
  private static final String T = "arn:aws:dynamodb:us-east-1:123456789012:table/";

  private static Decision eval(String policy, String action, String resource, Facts facts)
      throws Exception {
    return PolicyEvaluator.evaluate(List.of(PolicyDocument.parse(policy)), action, resource, facts);
  }

  private static String allow(String action, String resource, String condition) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\""
        + action
        + "\",\"Resource\":\""
        + resource
        + "\""
        + (condition == null ? "" : ",\"Condition\":" + condition)
        + "}}";
  }

  @Test
  void actionsAndResourcesMatchWithWildcardsAndNegation() throws Exception {
    Facts f = new Facts();
    assertThat(
            eval(allow("dynamodb:Get*", T + "Web*", null), "dynamodb:GetItem", T + "WebSeries", f))
        .isEqualTo(Decision.ALLOW);
    // Action names are case-insensitive, ARNs are not.
    assertThat(
            eval(
                allow("DynamoDB:getitem", T + "WebSeries", null),
                "dynamodb:GetItem",
                T + "WebSeries",
                f))
        .isEqualTo(Decision.ALLOW);
    assertThat(
            eval(
                allow("dynamodb:GetItem", T + "webseries", null),
                "dynamodb:GetItem",
                T + "WebSeries",
                f))
        .isEqualTo(Decision.IMPLICIT_DENY);
    assertThat(
            eval(
                allow("dynamodb:GetItem", T + "Web?eries", null),
                "dynamodb:GetItem",
                T + "WebSeries",
                f))
        .isEqualTo(Decision.ALLOW);
    String notAction =
        "{\"Statement\":{\"Effect\":\"Allow\",\"NotAction\":\"dynamodb:Delete*\",\"NotResource\":\""
            + T
            + "Secret\"}}";
    assertThat(eval(notAction, "dynamodb:GetItem", T + "A", f)).isEqualTo(Decision.ALLOW);
    assertThat(eval(notAction, "dynamodb:DeleteItem", T + "A", f))
        .isEqualTo(Decision.IMPLICIT_DENY);
    assertThat(eval(notAction, "dynamodb:GetItem", T + "Secret", f))
        .isEqualTo(Decision.IMPLICIT_DENY);
    // An index is its own resource under its table.
    assertThat(eval(allow("dynamodb:Query", T + "A", null), "dynamodb:Query", T + "A/index/I", f))
        .isEqualTo(Decision.IMPLICIT_DENY);
    assertThat(
            eval(
                allow("dynamodb:Query", T + "A/index/*", null),
                "dynamodb:Query",
                T + "A/index/I",
                f))
        .isEqualTo(Decision.ALLOW);
  }

  @Test
  void explicitDenyBeatsAllow() throws Exception {
    String p =
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"dynamodb:*\",\"Resource\":\"*\"},"
            + "{\"Effect\":\"Deny\",\"Action\":\"dynamodb:DeleteTable\",\"Resource\":\"*\"}]}";
    assertThat(eval(p, "dynamodb:DeleteTable", T + "A", new Facts()))
        .isEqualTo(Decision.EXPLICIT_DENY);
    assertThat(eval(p, "dynamodb:DescribeTable", T + "A", new Facts())).isEqualTo(Decision.ALLOW);
  }

  @Test
  void conditionOperators() throws Exception {
    Facts f =
        new Facts()
            .put("aws:SourceIp", "10.1.2.3")
            .put("aws:CurrentTime", "2026-12-06T04:00:00Z")
            .put("aws:SecureTransport", "false")
            .put("aws:username", "carol")
            .put("aws:PrincipalArn", "arn:aws:iam::123456789012:user/carol")
            .put("dynamodb:Select", "SPECIFIC_ATTRIBUTES")
            .putAll("dynamodb:Attributes", List.of("pk", "name"));
    String a = "dynamodb:GetItem";
    String r = T + "A";
    assertThat(eval(allow(a, r, "{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}"), a, r, f))
        .isEqualTo(Decision.ALLOW);
    assertThat(eval(allow(a, r, "{\"NotIpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}"), a, r, f))
        .isEqualTo(Decision.IMPLICIT_DENY);
    assertThat(
            eval(
                allow(a, r, "{\"DateLessThan\":{\"aws:CurrentTime\":\"2027-01-01T00:00:00Z\"}}"),
                a,
                r,
                f))
        .isEqualTo(Decision.ALLOW);
    assertThat(
            eval(
                allow(a, r, "{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2027-01-01\"}}"), a, r, f))
        .isEqualTo(Decision.IMPLICIT_DENY);
    assertThat(eval(allow(a, r, "{\"Bool\":{\"aws:SecureTransport\":\"true\"}}"), a, r, f))
        .isEqualTo(Decision.IMPLICIT_DENY);
    assertThat(
            eval(
                allow(a, r, "{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:user/c*\"}}"),
                a,
                r,
                f))
        .isEqualTo(Decision.ALLOW);
    assertThat(eval(allow(a, r, "{\"StringLike\":{\"aws:username\":\"ca?ol\"}}"), a, r, f))
        .isEqualTo(Decision.ALLOW);
    assertThat(
            eval(
                allow(
                    a,
                    r,
                    "{\"ForAllValues:StringEquals\":{\"dynamodb:Attributes\":[\"pk\",\"name\",\"x\"]}}"),
                a,
                r,
                f))
        .isEqualTo(Decision.ALLOW);
    assertThat(
            eval(
                allow(a, r, "{\"ForAllValues:StringEquals\":{\"dynamodb:Attributes\":[\"pk\"]}}"),
                a,
                r,
                f))
        .isEqualTo(Decision.IMPLICIT_DENY);
    assertThat(
            eval(
                allow(a, r, "{\"ForAnyValue:StringEquals\":{\"dynamodb:Attributes\":[\"pk\"]}}"),
                a,
                r,
                f))
        .isEqualTo(Decision.ALLOW);
    // IfExists: an absent key satisfies the condition; a present one must match.
    assertThat(
            eval(
                allow(a, r, "{\"StringEqualsIfExists\":{\"dynamodb:ReturnValues\":\"NONE\"}}"),
                a,
                r,
                f))
        .isEqualTo(Decision.ALLOW);
    assertThat(
            eval(allow(a, r, "{\"StringEquals\":{\"dynamodb:ReturnValues\":\"NONE\"}}"), a, r, f))
        .isEqualTo(Decision.IMPLICIT_DENY);
    assertThat(eval(allow(a, r, "{\"NumericLessThan\":{\"aws:EpochTime\":\"1\"}}"), a, r, f))
        .isEqualTo(Decision.IMPLICIT_DENY);
    // Policy variables resolve from the caller.
    assertThat(eval(allow(a, T + "${aws:username}-*", null), a, T + "carol-notes", f))
        .isEqualTo(Decision.ALLOW);
  }

  // What is not supported never allows, and always denies when it appears in a Deny.
  @Test
  void unsupportedOperatorsAndKeysFailSafe() throws Exception {
    Facts f = new Facts().put("aws:username", "carol").unknown("dynamodb:LeadingKeys");
    String a = "dynamodb:GetItem";
    String r = T + "A";
    assertThat(eval(allow(a, r, "{\"BinaryEquals\":{\"aws:username\":\"Y2Fyb2w=\"}}"), a, r, f))
        .isEqualTo(Decision.IMPLICIT_DENY);
    assertThat(eval(allow(a, r, "{\"StringEquals\":{\"aws:SourceVpc\":\"vpc-1\"}}"), a, r, f))
        .isEqualTo(Decision.IMPLICIT_DENY);
    assertThat(
            eval(
                allow(
                    a, r, "{\"ForAllValues:StringEquals\":{\"dynamodb:LeadingKeys\":[\"carol\"]}}"),
                a,
                r,
                f))
        .isEqualTo(Decision.IMPLICIT_DENY);
    String denyUnknown =
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},"
            + "{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":"
            + "{\"StringNotEquals\":{\"aws:SourceVpc\":\"vpc-1\"}}}]}";
    assertThat(eval(denyUnknown, a, r, f)).isEqualTo(Decision.EXPLICIT_DENY);
    String denyVariable =
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},"
            + "{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\""
            + T
            + "${aws:SourceVpc}\"}]}";
    assertThat(eval(denyVariable, a, r, f)).isEqualTo(Decision.EXPLICIT_DENY);
  }

  @Test
  void malformedPoliciesAreRefusedWithIamTexts() {
    assertThatThrownBy(() -> PolicyDocument.parse("{")).hasMessage("Syntax errors in policy.");
    assertThatThrownBy(
            () ->
                PolicyDocument.parse(
                    "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}}"))
        .hasMessage("Policy document should not specify a principal.");
    assertThatThrownBy(
            () -> PolicyDocument.parse("{\"Statement\":{\"Effect\":\"Allow\",\"Resource\":\"*\"}}"))
        .hasMessage("Policy statement must contain actions.");
    assertThatThrownBy(
            () ->
                PolicyDocument.parse(
                    "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"GetItem\",\"Resource\":\"*\"}}"))
        .hasMessage("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
  }

  /**
   * Protects the hand-written wildcard matcher: on random patterns and values over a small alphabet
   * (so that stars, question marks and near-misses meet often) it must agree with the regular
   * expression IAM's wildcards mean, with and without case.
   */
  @Test
  void wildcardAgreesWithTheRegularExpressionItStandsFor() {
    java.util.Random random = new java.util.Random(42);
    String alphabet = "aAb*?:/";
    for (int i = 0; i < 50_000; i++) {
      String pattern = randomString(random, alphabet, 8);
      String value = randomString(random, "aAb:/", 10);
      for (boolean ignoreCase : new boolean[] {false, true}) {
        StringBuilder re = new StringBuilder();
        for (char ch : pattern.toCharArray()) {
          re.append(
              ch == '*'
                  ? ".*"
                  : ch == '?' ? "." : java.util.regex.Pattern.quote(String.valueOf(ch)));
        }
        int flags = java.util.regex.Pattern.DOTALL;
        if (ignoreCase) {
          flags |= java.util.regex.Pattern.CASE_INSENSITIVE;
        }
        boolean expected =
            java.util.regex.Pattern.compile(re.toString(), flags).matcher(value).matches();
        assertThat(PolicyDocument.wildcard(pattern, value, ignoreCase))
            .as("%s ~ %s (ignore case %s)", pattern, value, ignoreCase)
            .isEqualTo(expected);
      }
    }
  }

  private static String randomString(java.util.Random random, String alphabet, int maxLength) {
    StringBuilder b = new StringBuilder();
    for (int n = random.nextInt(maxLength + 1); n > 0; n--) {
      b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return b.toString();
  }
}
