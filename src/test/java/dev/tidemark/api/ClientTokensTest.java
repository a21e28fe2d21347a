package dev.tidemark.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The ClientRequestToken memory: replay, mismatch, in-progress, the 10-minute window, the bound.
 */
class ClientTokensTest {
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final ClientTokens tokens = new ClientTokens(now::get, 3);
  private static final byte[] A = {1};
  private static final byte[] B = {2};

  private static ObjectNode answer(String marker) {
    return Json.object().put("marker", marker);
  }

  private ClientTokens.Fresh fresh(String token, byte[] fingerprint) {
    return (ClientTokens.Fresh) tokens.claim(token, fingerprint);
  }

  // Protects idempotency: a completed token with the same request replays its answer.
  @Test
  void sameTokenSameRequestReplays() {
    tokens.complete(fresh("t", A), answer("first"));
    ClientTokens.Claim again = tokens.claim("t", A);
    assertThat(again).isInstanceOf(ClientTokens.Replay.class);
    assertThat(((ClientTokens.Replay) again).response().get("marker").asText()).isEqualTo("first");
  }

  // Protects against a replayed answer being changed by a caller that decorates its response.
  @Test
  void replayedAnswersAreCopies() {
    tokens.complete(fresh("t", A), answer("first"));
    ((ClientTokens.Replay) tokens.claim("t", A)).response().put("ConsumedCapacity", 1);
    assertThat(((ClientTokens.Replay) tokens.claim("t", A)).response().has("ConsumedCapacity"))
        .isFalse();
  }

  // Protects IdempotentParameterMismatch for a reused token with a different request.
  @Test
  void sameTokenDifferentRequestIsRefused() {
    tokens.complete(fresh("t", A), answer("first"));
    DynamoException e = catchThrowableOfType(DynamoException.class, () -> tokens.claim("t", B));
    assertThat(e.error()).isEqualTo(WireError.IDEMPOTENT_PARAMETER_MISMATCH);
  }

  // Protects TransactionInProgress while the first request with a token is still running.
  @Test
  void tokenInFlightIsRefused() {
    fresh("t", A);
    DynamoException same = catchThrowableOfType(DynamoException.class, () -> tokens.claim("t", A));
    assertThat(same.error()).isEqualTo(WireError.TRANSACTION_IN_PROGRESS);
    assertThat(same.getMessage())
        .isEqualTo("Transaction from previous request is still in progress");
    DynamoException other = catchThrowableOfType(DynamoException.class, () -> tokens.claim("t", B));
    assertThat(other.error()).isEqualTo(WireError.IDEMPOTENT_PARAMETER_MISMATCH);
  }

  // Protects retrying a failed transaction: a released token runs again.
  @Test
  void releasedTokenIsFreshAgain() {
    tokens.release(fresh("t", A));
    assertThat(tokens.claim("t", B)).isInstanceOf(ClientTokens.Fresh.class);
  }

  // Protects the 10-minute window, counted from completion.
  @Test
  void tokensExpireTenMinutesAfterCompletion() {
    ClientTokens.Fresh f = fresh("t", A);
    now.addAndGet(5_000);
    tokens.complete(f, answer("first"));
    now.addAndGet(ClientTokens.WINDOW_MILLIS - 1);
    assertThat(tokens.claim("t", A)).isInstanceOf(ClientTokens.Replay.class);
    now.addAndGet(1);
    assertThat(tokens.claim("t", B)).isInstanceOf(ClientTokens.Fresh.class);
  }

  // Protects the memory bound: the oldest completed tokens are forgotten first.
  @Test
  void memoryIsBounded() {
    for (String t : new String[] {"t1", "t2", "t3", "t4"}) {
      tokens.complete(fresh(t, A), answer(t));
    }
    assertThat(tokens.size()).isEqualTo(3);
    assertThat(tokens.claim("t1", B)).isInstanceOf(ClientTokens.Fresh.class);
    assertThat(tokens.claim("t4", A)).isInstanceOf(ClientTokens.Replay.class);
  }
}
