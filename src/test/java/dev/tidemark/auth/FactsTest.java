package dev.tidemark.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Protects the condition keys that are worked out only when an evaluation reads one: a policy
 * condition must see exactly the keys an eager build gave, through the views a check puts over the
 * request-wide keys, and the work is done at most once per request.
 */
class FactsTest {
  @Test
  void keysFilledLaterReadAsKeysFilledAtOnce() {
    AtomicInteger globalFills = new AtomicInteger();
    AtomicInteger checkFills = new AtomicInteger();
    Facts principal = new Facts().put("aws:username", "alice");
    Facts global =
        Facts.later(
            principal,
            java.util.Set.of("aws:sourceip"),
            f -> {
              globalFills.incrementAndGet();
              f.put("aws:SourceIp", "10.0.0.1");
            });
    Facts check =
        Facts.later(
            null,
            java.util.Set.of("dynamodb:leadingkeys", "dynamodb:attributes"),
            f -> {
              checkFills.incrementAndGet();
              f.putAll("dynamodb:LeadingKeys", List.of("alice"));
              f.unknown("dynamodb:Attributes");
            });
    Facts view = check.over(global);
    // The caller's keys (policy variables) are read without building the request's.
    assertThat(view.get("aws:username")).containsExactly("alice");
    assertThat(view.get("dynamodb:select")).isNull();
    assertThat(globalFills.get() + checkFills.get()).as("nothing built before a look-up").isZero();

    assertThat(view.get("dynamodb:leadingkeys")).containsExactly("alice");
    assertThat(view.get("aws:sourceip")).containsExactly("10.0.0.1");
    assertThat(view.get("aws:username")).containsExactly("alice");
    assertThat(view.isUnknown("dynamodb:attributes")).isTrue();
    // A second view over the same keys (a check with its resource policy) reads them too.
    assertThat(check.over(global).get("dynamodb:leadingkeys")).containsExactly("alice");
    assertThat(view.state("dynamodb:leadingkeys")).isEqualTo(List.of("alice"));
    assertThat(globalFills.get()).isEqualTo(1);
    assertThat(checkFills.get()).isEqualTo(1);

    Facts careless = Facts.later(null, java.util.Set.of("aws:sourceip"), f -> f.put("x:y", "z"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> careless.get("aws:sourceip"))
        .isInstanceOf(IllegalStateException.class);
  }
}
