package dev.tidemark.api;

import dev.tidemark.auth.CallerIdentity;
import java.util.Objects;

/**
 * What an action knows about the request besides its body.
 *
 * @param requestId the id echoed in {@code x-amzn-RequestId}
 * @param caller the caller's identity from the SigV4 header
 * @param receivedAtMillis when the server received the request, for request-time fields
 * @param addressedTo the {@code host[:port]} the client sent the request to (its Host header), or
 *     null when unknown
 */
public record RequestContext(
    String requestId, CallerIdentity caller, long receivedAtMillis, String addressedTo) {
  public RequestContext {
    Objects.requireNonNull(requestId);
    Objects.requireNonNull(caller);
  }

  public RequestContext(String requestId, CallerIdentity caller, long receivedAtMillis) {
    this(requestId, caller, receivedAtMillis, null);
  }
}
