package dev.tidemark.managed;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The signed server-to-server channel to other regions (in {@code replication}), as copies use it.
 * Operations are the {@link CopyReceiver}'s, served by the peer's copy endpoint.
 */
public interface PeerChannel {
  /** No peers: copies go only to this server's own vaults. */
  PeerChannel NONE =
      new PeerChannel() {
        @Override
        public boolean hasPeer(String region) {
          return false;
        }

        @Override
        public JsonNode call(String region, String op, JsonNode body) {
          throw new Unavailable("no peer region " + region);
        }

        @Override
        public JsonNode send(String region, String op, byte[] frame, int signedLength) {
          throw new Unavailable("no peer region " + region);
        }
      };

  boolean hasPeer(String region);

  /**
   * @throws Unavailable when the peer cannot be reached or failed (worth retrying)
   * @throws Refused when the peer refused the request (its message is for the user)
   */
  JsonNode call(String region, String op, JsonNode body);

  /**
   * As {@link #call}, with a binary body ({@link CopyFrame}) whose signature covers its first
   * {@code signedLength} bytes; safe to call from several threads at once.
   */
  JsonNode send(String region, String op, byte[] frame, int signedLength);

  /** The peer is down, unreachable or failing. */
  final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Unavailable(String message) {
      super(message, null, false, false);
    }
  }

  /** The peer refused; {@code type} is the error type it answered. */
  final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String type;

    public Refused(String type, String message) {
      super(message, null, false, false);
      this.type = type;
    }

    public String type() {
      return type;
    }
  }
}
