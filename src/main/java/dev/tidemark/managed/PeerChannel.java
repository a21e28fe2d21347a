package dev.tidemark.managed;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The signed server-to-server channel to other servers (in {@code replication}), as copies use it:
 * a destination is named by the account and region of its vault. Operations are the {@link
 * CopyReceiver}'s, served by the destination's copy endpoint.
 */
public interface PeerChannel {
  /** No peers: copies go only to this server's own vaults. */
  PeerChannel NONE =
      new PeerChannel() {
        @Override
        public boolean reaches(Server to) {
          return false;
        }

        @Override
        public JsonNode call(Server to, String op, JsonNode body) {
          throw new Unavailable("no server for " + to);
        }

        @Override
        public JsonNode send(Server to, String op, byte[] frame, int signedLength) {
          throw new Unavailable("no server for " + to);
        }
      };

  /** The server that holds an account's vaults in a region. */
  record Server(String account, String region) {
    public Server {
      java.util.Objects.requireNonNull(account);
      java.util.Objects.requireNonNull(region);
    }

    @Override
    public String toString() {
      return "account " + account + " in " + region;
    }
  }

  /** Whether this server knows where {@code to} is ({@code --copy-peer}, or {@code --peer}). */
  boolean reaches(Server to);

  /**
   * @throws Unavailable when the peer cannot be reached or failed (worth retrying)
   * @throws Refused when the peer refused the request (its message is for the user)
   */
  JsonNode call(Server to, String op, JsonNode body);

  /**
   * As {@link #call}, with a binary body ({@link CopyFrame}) whose signature covers its first
   * {@code signedLength} bytes; safe to call from several threads at once.
   */
  JsonNode send(Server to, String op, byte[] frame, int signedLength);

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
