package dev.tidemark.api;

import dev.tidemark.auth.CallerIdentity;
import java.util.Objects;

/**
 * What an action knows about the request besides its body.
 *
 * @param requestId the id echoed in {@code x-amzn-RequestId}
 * @param caller the caller's identity from the SigV4 header
 * @param receivedAtMillis when the server received the request, for request-time fields
 */
public record RequestContext(String requestId, CallerIdentity caller, long receivedAtMillis) {
  public RequestContext {
    Objects.requireNonNull(requestId);
    Objects.requireNonNull(caller);
  }
}
