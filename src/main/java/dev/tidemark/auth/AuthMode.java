package dev.tidemark.auth;

import java.util.Locale;

/** How requests are authenticated and authorized. */
public enum AuthMode {
  /**
   * Any credentials are accepted unverified and every caller may do everything, as DynamoDB Local
   * does. Meant for a developer's machine; the server refuses to offer it on a non-loopback address
   * unless asked to explicitly.
   */
  OPEN,
  /** Every request's SigV4 signature is verified and every action checked against IAM policies. */
  IAM;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
