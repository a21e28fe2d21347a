package dev.tidemark.replication;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticates server-to-server requests with the shared replication secret: an HMAC-SHA256 over
 * the sending region, the send time, the path and the body's SHA-256, in the header {@value
 * #HEADER} as {@code <region>:<epoch millis>:<hex mac>}. A request more than {@link
 * #MAX_SKEW_MILLIS} away from the receiver's clock is refused, which bounds replays; a replay
 * inside that window is harmless because applying a replicated write twice changes nothing.
 */
public final class PeerAuth {
  public static final String HEADER = "X-Tidemark-Replication";
  static final long MAX_SKEW_MILLIS = 5 * 60_000;

  private final SecretKeySpec key;

  public PeerAuth(byte[] secret) {
    this.key = new SecretKeySpec(secret, "HmacSHA256");
    this.macs =
        ThreadLocal.withInitial(
            () -> {
              try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(key);
                return m;
              } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is unavailable", e);
              }
            });
  }

  /** The header value for a request from {@code region}, sent at {@code nowMillis}. */
  public String sign(String region, long nowMillis, String path, byte[] body) {
    return region + ":" + nowMillis + ":" + mac(region, nowMillis, path, digest(body));
  }

  /**
   * Like {@link #sign}, for a body never changed once built (an apply frame): the last one's hash
   * is reused when the same array is signed again, as when one frame goes to every peer.
   */
  public String signImmutable(String region, long nowMillis, String path, byte[] body) {
    return region + ":" + nowMillis + ":" + mac(region, nowMillis, path, lastDigest(body));
  }

  /**
   * The region that sent an authentic request.
   *
   * @throws Refused with a message that says what is wrong, never anything about the secret
   */
  public String verify(String header, long nowMillis, String path, byte[] body) {
    if (header == null) {
      throw new Refused(
          "replication requests must carry " + HEADER + ", signed with the replication secret");
    }
    String[] parts = header.split(":", 3);
    long sent;
    try {
      sent = Long.parseLong(parts.length == 3 ? parts[1] : "x");
    } catch (NumberFormatException e) {
      throw new Refused("malformed " + HEADER + " header");
    }
    if (Math.abs(nowMillis - sent) > MAX_SKEW_MILLIS) {
      throw new Refused(
          "the replication request was signed "
              + (nowMillis - sent)
              + " ms away from this server's clock (at most "
              + MAX_SKEW_MILLIS
              + " ms are accepted): check the clocks of both servers");
    }
    byte[] expected = mac(parts[0], sent, path, digest(body)).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, parts[2].getBytes(StandardCharsets.US_ASCII))) {
      throw new Refused(
          "the replication request's signature does not match: the sender does not hold this"
              + " server's replication secret");
    }
    return parts[0];
  }

  /**
   * One keyed Mac and one digest per thread: looking the algorithms up through the providers and
   * keying a new Mac for every request cost more than hashing a small frame. doFinal and digest
   * leave both ready for the next use.
   */
  private final ThreadLocal<Mac> macs;

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (GeneralSecurityException e) {
              throw new IllegalStateException("SHA-256 is unavailable", e);
            }
          });

  private String mac(String region, long time, String path, String bodyDigest) {
    Mac mac = macs.get();
    mac.update(
        (region + "\n" + time + "\n" + path + "\n" + bodyDigest).getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(mac.doFinal());
  }

  private static String digest(byte[] body) {
    return HexFormat.of().formatHex(SHA256.get().digest(body));
  }

  /** A body and its SHA-256 in hex. */
  private record Digested(byte[] body, String hex) {}

  /**
   * The last body given to {@link #signImmutable}. The shippers send one frame to every peer (the
   * same array), so each frame is hashed once, not once per peer. Identity, not equality: comparing
   * contents would cost as much as hashing them.
   */
  private volatile Digested lastDigest;

  private String lastDigest(byte[] body) {
    Digested last = lastDigest;
    if (last != null && last.body() == body) {
      return last.hex();
    }
    String hex = digest(body);
    lastDigest = new Digested(body, hex);
    return hex;
  }

  /** A request that is not authentic replication traffic. */
  public static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }
}
