package dev.tidemark.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The ClientRequestToken memory of TransactWriteItems. DynamoDB keeps a token for 10 minutes after
 * the first request that used it completed: the same token with the same request answers the first
 * answer again without applying anything; the same token with a different request is refused with
 * IdempotentParameterMismatchException; a token whose request is still running is refused with
 * TransactionInProgressException.
 *
 * <p>Tokens live in memory only, so a restart forgets them: a client that retries across a restart
 * may apply its transaction twice. The memory is bounded; when more than {@code maxCompleted}
 * tokens completed within the window, the oldest are forgotten early, with the same consequence.
 * Only successful transactions are remembered: a cancelled transaction changed nothing, and
 * retrying it with its token runs it again, as it should.
 */
public final class ClientTokens {
  /** How long a completed token is remembered (DynamoDB's idempotency window). */
  public static final long WINDOW_MILLIS = 10 * 60 * 1000;

  /** The default bound on remembered tokens. */
  public static final int DEFAULT_MAX_COMPLETED = 100_000;

  private final LongSupplier clock;
  private final int maxCompleted;
  private final Map<String, byte[]> inFlight = new HashMap<>();
  // In completion order, so expired entries are always at the head.
  private final LinkedHashMap<String, Completed> completed = new LinkedHashMap<>();

  private record Completed(byte[] fingerprint, ObjectNode response, long expiresAt) {}

  /** What presenting a token led to. */
  public sealed interface Claim permits Fresh, Replay {}

  /** The token is new: run the request, then {@link #complete} or {@link #release} the claim. */
  public record Fresh(String token, byte[] fingerprint) implements Claim {
    public Fresh {
      Objects.requireNonNull(token);
      fingerprint = fingerprint.clone();
    }
  }

  /** The same request already succeeded with this token: answer {@code response} again. */
  public record Replay(ObjectNode response) implements Claim {
    public Replay {
      Objects.requireNonNull(response);
    }
  }

  public ClientTokens(LongSupplier clock, int maxCompleted) {
    if (maxCompleted < 1) {
      throw new IllegalArgumentException("maxCompleted must be positive: " + maxCompleted);
    }
    this.clock = Objects.requireNonNull(clock);
    this.maxCompleted = maxCompleted;
  }

  /**
   * Presents a token with the fingerprint of its request.
   *
   * @throws DynamoException IdempotentParameterMismatch or TransactionInProgress
   */
  public synchronized Claim claim(String token, byte[] fingerprint) {
    expire(clock.getAsLong());
    byte[] running = inFlight.get(token);
    if (running != null) {
      if (!Arrays.equals(running, fingerprint)) {
        throw mismatch();
      }
      throw new DynamoException(
          WireError.TRANSACTION_IN_PROGRESS,
          "Transaction from previous request is still in progress");
    }
    Completed done = completed.get(token);
    if (done != null) {
      if (!Arrays.equals(done.fingerprint(), fingerprint)) {
        throw mismatch();
      }
      return new Replay(done.response().deepCopy());
    }
    inFlight.put(token, fingerprint.clone());
    return new Fresh(token, fingerprint);
  }

  /** Records the successful answer of a fresh claim; the window starts now. */
  public synchronized void complete(Fresh claim, ObjectNode response) {
    inFlight.remove(claim.token());
    long now = clock.getAsLong();
    completed.remove(claim.token());
    completed.put(
        claim.token(),
        new Completed(claim.fingerprint(), response.deepCopy(), now + WINDOW_MILLIS));
    Iterator<String> oldest = completed.keySet().iterator();
    while (completed.size() > maxCompleted) {
      oldest.next();
      oldest.remove();
    }
  }

  /** Forgets a fresh claim whose request failed, so the token may be used again. */
  public synchronized void release(Fresh claim) {
    inFlight.remove(claim.token());
  }

  /** How many completed tokens are remembered (for tests and metrics). */
  public synchronized int size() {
    expire(clock.getAsLong());
    return completed.size();
  }

  private void expire(long now) {
    Iterator<Completed> it = completed.values().iterator();
    while (it.hasNext()) {
      if (it.next().expiresAt() > now) {
        return;
      }
      it.remove();
    }
  }

  private static DynamoException mismatch() {
    return new DynamoException(
        WireError.IDEMPOTENT_PARAMETER_MISMATCH,
        "The request uses the same client token as a previous, but non-identical request.");
  }
}
