package dev.tidemark.auth;

import java.util.Objects;

/**
 * Who made a request, as far as the request's credentials tell. In development mode any credentials
 * are accepted, but the identity still flows to every action so that signature checks and IAM
 * policies can later be enforced without changing the actions.
 *
 * @param accessKeyId the access key from the SigV4 credential scope, or "anonymous"
 * @param region the region from the credential scope, or the server's region
 * @param service the service from the credential scope (normally "dynamodb")
 * @param signed whether the request carried a SigV4 Authorization header
 */
public record CallerIdentity(String accessKeyId, String region, String service, boolean signed) {
  public CallerIdentity {
    Objects.requireNonNull(accessKeyId);
    Objects.requireNonNull(region);
    Objects.requireNonNull(service);
  }

  public static CallerIdentity anonymous(String region) {
    return new CallerIdentity("anonymous", region, "dynamodb", false);
  }
}
