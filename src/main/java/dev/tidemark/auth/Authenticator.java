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
