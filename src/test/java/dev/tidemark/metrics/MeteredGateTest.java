package dev.tidemark.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.auth.Authenticator;
import dev.tidemark.auth.SignedRequest;
import dev.tidemark.errors.DynamoException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * Protects the gate's measurement: every outcome is timed, refusals are counted with their error
 * type and the operation they refused, the wrapped gate's answer and exception pass through
 * unchanged, and operation names past the cap fold into {@code other} so a client cannot grow the
 * number of series.
 */
class MeteredGateTest {
  private static final SignedRequest REQUEST =
      new SignedRequest("POST", "/", null, h -> null, new byte[0]);

  @Test
  void timesEveryOutcomeAndCountsErrorsByType() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    MeteredGate gate = new MeteredGate(Authenticator.acceptAnyCredentials("us-east-1"), registry);

    String answer = gate.serve(REQUEST, "GetItem", null, caller -> "answer");
    assertThat(answer).isEqualTo("answer");
    DynamoException refusal = DynamoException.validation("bad");
    assertThatThrownBy(
            () ->
                gate.serve(
                    REQUEST,
                    "GetItem",
                    null,
                    caller -> {
                      throw refusal;
                    }))
        .isSameAs(refusal);
    assertThatThrownBy(
            () ->
                gate.serve(
                    REQUEST,
                    "DynamoDBStreams_20120810.GetRecords",
                    null,
                    caller -> {
                      throw new IllegalStateException("bug");
                    }))
        .isInstanceOf(IllegalStateException.class);

    assertThat(registry.get("tidemark.requests").tag("operation", "GetItem").timer().count())
        .isEqualTo(2);
    assertThat(
            registry
                .get("tidemark.request.errors")
                .tag("operation", "GetItem")
                .tag("error", "ValidationException")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get("tidemark.request.errors")
                .tag("operation", "streams:GetRecords")
                .tag("error", "InternalServerError")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void operationNamesPastTheCapFoldIntoOther() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    MeteredGate gate = new MeteredGate(Authenticator.acceptAnyCredentials("us-east-1"), registry);
    int served = MeteredGate.MAX_OPERATIONS + 100;
    for (int i = 0; i < served; i++) {
      String unused = gate.serve(REQUEST, "Made-Up-" + i, null, caller -> "x");
      assertThat(unused).isEqualTo("x");
    }
    assertThat(registry.find("tidemark.requests").timers()).hasSize(MeteredGate.MAX_OPERATIONS + 1);
    assertThat(registry.get("tidemark.requests").tag("operation", "other").timer().count())
        .isEqualTo(100);
  }
}
