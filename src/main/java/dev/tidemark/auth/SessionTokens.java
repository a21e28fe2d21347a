package dev.tidemark.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The session tokens of temporary credentials, self-contained: a token is the session (role, its
 * id, the session name, issue and expiry times) and the secret access key, sealed with AES-256-GCM
 * under a key derived from the server's master key ({@link SecretSealer#forPurpose}), with the
 * access key id as associated data.
 *
 * <p>Why sealed tokens rather than session records in the meta space: AssumeRole is called by
 * applications all day long, and a record per call would be a synced write and a store that grows
 * until something sweeps it; a sealed token costs nothing to issue, survives a restart and kill -9
 * by construction, and keeps working after a key rotation (the sealer opens with every key of the
 * ring). What it gives up is revoking one session before it expires, which AWS does not offer
 * either: there, as here, a role's sessions lose their permissions when its policies change (they
 * are evaluated on every request), stop working when the role is deleted (the token names the
 * role's unique id), and can be cut off by a Deny on {@code aws:TokenIssueTime}.
 */
final class SessionTokens {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LABEL = "tidemark sts session token v1";
  private static final int MAX_CACHED = 10_000;

  /** What a token holds. Field names are short: the token travels on every request. */
  record Content(int v, String s, String r, String p, String i, String n, long t, long e) {
    Principal.RoleSession session() {
      return new Principal.RoleSession(r, p, i, n, t, e);
    }
  }

  /** An opened token: the secret and the session. */
  record Opened(String secret, Principal.RoleSession session) {}

  private final SecretSealer sealer;
  // Opening is an AES-GCM decryption and a JSON parse; requests repeat the same token.
  private final Map<String, Opened> opened = new ConcurrentHashMap<>();

  SessionTokens(SecretSealer sealer) {
    this.sealer = sealer.forPurpose(LABEL);
  }

  String issue(String accessKeyId, String secret, Principal.RoleSession s) {
    Content c =
        new Content(
            1,
            secret,
            s.roleName(),
            s.rolePath(),
            s.roleId(),
            s.sessionName(),
            s.issuedMillis(),
            s.expiresMillis());
    try {
      return sealer.seal(accessKeyId, JSON.writeValueAsString(c));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The token's content, or null when it was not sealed by this server for this access key. */
  Opened open(String accessKeyId, String token) {
    String cacheKey = accessKeyId + ' ' + token;
    Opened o = opened.get(cacheKey);
    if (o != null) {
      return o;
    }
    try {
      Content c = JSON.readValue(sealer.unseal(accessKeyId, token), Content.class);
      if (c.v() != 1) {
        return null;
      }
      o = new Opened(c.s(), c.session());
    } catch (IllegalStateException | IllegalArgumentException | IOException e) {
      return null; // forged, truncated, for another key, or sealed under a key we do not hold
    }
    if (opened.size() >= MAX_CACHED) {
      opened.clear(); // tokens live hours at most; a full clear is rare and simpler than an LRU
    }
    opened.put(cacheKey, o);
    return o;
  }
}
