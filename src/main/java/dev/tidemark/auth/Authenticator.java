package dev.tidemark.auth;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Decides who sent a request and whether they may do what it asks. Every front (the DynamoDB and
 * Streams handler, the IAM and STS handler) calls {@link #admit} once per request, after the body
 * has been read and parsed, so that an implementation verifying SigV4 has the payload to hash and
 * one checking policies has the parameters that name resources.
 */
@FunctionalInterface
public interface Authenticator {

  /**
   * @return the caller's identity
   * @throws dev.tidemark.errors.DynamoException to refuse the request, with the error AWS would
   *     answer (IncompleteSignatureException, InvalidSignatureException,
   *     UnrecognizedClientException, ...)
   */
  CallerIdentity authenticate(SignedRequest request);

  /**
   * Authenticates the request and authorizes the operation it asks for. The one place every API's
   * requests pass through; open mode authorizes everything.
   *
   * @param operation the operation as the front routed it: a DynamoDB action name ({@code
   *     PutItem}), a Streams target ({@code DynamoDBStreams_20120810.GetRecords}), or a
   *     service-qualified query-protocol action ({@code iam:CreateUser}, {@code
   *     sts:GetCallerIdentity})
   * @param input the parsed request parameters
   * @throws dev.tidemark.errors.DynamoException refusals, including {@code AccessDeniedException}
   */
  default CallerIdentity admit(SignedRequest request, String operation, JsonNode input) {
    return authenticate(request);
  }

  /** An admitted operation's work, given the caller the gate admitted. */
  @FunctionalInterface
  interface Work<T> {
    T run(CallerIdentity caller);
  }

  /**
   * Admits the request and runs the operation. This is how every front serves a request (rather
   * than calling {@link #admit} and then the action), so that a gate that also records what
   * happened (the audit trail, {@code audit.AuditingGate}) sees each operation's outcome.
   *
   * @throws dev.tidemark.errors.DynamoException a refusal of the gate, or the operation's error
   */
  default <T> T serve(SignedRequest request, String operation, JsonNode input, Work<T> work) {
    return work.run(admit(request, operation, input));
  }

  /**
   * The IAM ARN an access key belongs to, whether or not the request was verified; null when the
   * key is unknown or nothing is verified (open mode). For records of refused requests.
   */
  default String ownerOf(String accessKeyId) {
    return null;
  }

  /**
   * Open mode: any well-formed credentials are accepted unverified, and so is a request without an
   * Authorization header. A malformed header is still refused, because a client that sends one
   * would be refused by DynamoDB too and should find out here rather than in production.
   */
  static Authenticator acceptAnyCredentials(String serverRegion) {
    return request -> {
      String authorization = request.authorization();
      if (authorization == null) {
        return CallerIdentity.anonymous(serverRegion);
      }
      return SigV4Header.parse(authorization).caller();
    };
  }
}
