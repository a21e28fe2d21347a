package dev.tidemark.auth;

/**
 * Decides who sent a request. The protocol layer calls it once per request, after the body has been
 * read, so an implementation that verifies SigV4 signatures has the payload to hash.
 */
@FunctionalInterface
public interface Authenticator {

  /**
   * @return the caller's identity
   * @throws dev.tidemark.errors.DynamoException to refuse the request, with the error DynamoDB
   *     would answer (IncompleteSignatureException, InvalidSignatureException,
   *     UnrecognizedClientException, ...)
   */
  CallerIdentity authenticate(SignedRequest request);

  /**
   * Development mode: any well-formed credentials are accepted unverified, and so is a request
   * without an Authorization header. A malformed header is still refused, because a client that
   * sends one would be refused by DynamoDB too and should find out here rather than in production.
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
