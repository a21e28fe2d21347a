package dev.tidemark.auth;

import java.util.Objects;

/**
 * Who made a request, as far as the request's credentials tell. In open mode any credentials are
 * accepted and {@code principal} is null; in IAM mode it is the verified caller.
 *
 * @param accessKeyId the access key from the SigV4 credential scope, or "anonymous"
 * @param region the region from the credential scope, or the server's region
 * @param service the service from the credential scope (normally "dynamodb")
 * @param signed whether the request carried a SigV4 Authorization header
 * @param principal the verified IAM identity, or null when nothing was verified (open mode)
 */
public record CallerIdentity(
    String accessKeyId, String region, String service, boolean signed, Principal principal) {
  public CallerIdentity {
    Objects.requireNonNull(accessKeyId);
    Objects.requireNonNull(region);
    Objects.requireNonNull(service);
  }

  /** An unverified identity, as open mode produces. */
  public CallerIdentity(String accessKeyId, String region, String service, boolean signed) {
    this(accessKeyId, region, service, signed, null);
  }

  public static CallerIdentity anonymous(String region) {
    return new CallerIdentity("anonymous", region, "dynamodb", false);
  }
}
