package dev.tidemark.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.managed.CopyFrame;
import dev.tidemark.managed.CopyReceiver;
import dev.tidemark.managed.CopyWire;
import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * Copy traffic between regions, on the replication channel: {@code POST
 * /tidemark/replication/copy/{begin,object,commit}} ({@code object} is a binary {@link CopyFrame};
 * {@code chunk}, its base64 JSON predecessor, is still served), signed with the replication secret
 * ({@link PeerAuth}) and handed to the {@link CopyReceiver}. Registered before the {@link
 * ReplicationEndpoint}, which would otherwise claim these paths. A frame carries at most a few MiB
 * of one object, so no request holds a recovery point.
 */
public final class CopyEndpoint extends PeerEndpoint {
  /** The operations' path prefix (under {@code PeerClient.PATH_PREFIX}). */
  static final String OPS = "copy/";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY = 8 << 20;

  private final CopyReceiver receiver;
  private final PeerAuth auth;

  /**
   * @param secret the replication secret, or null (then every copy request is refused)
   */
  public CopyEndpoint(CopyReceiver receiver, byte[] secret, LongSupplier clock) {
    super(
        PeerClient.PATH_PREFIX + OPS,
        MAX_BODY,
        "copy",
        "this server has no --replication-secret-file and accepts no copies from peers",
        clock);
    this.receiver = receiver;
    this.auth = secret == null ? null : new PeerAuth(secret);
  }

  @Override
  protected PeerAuth auth() {
    return auth;
  }

  @Override
  protected int signedLength(String op, byte[] body) {
    return CopyFrame.OP.equals(op) ? CopyFrame.signedLength(body) : body.length;
  }

  @Override
  protected byte[] answer(String op, String from, byte[] body) throws IOException {
    if (CopyFrame.OP.equals(op)) {
      return JSON.writeValueAsBytes(frame(receiver, body));
    }
    return JSON.writeValueAsBytes(dispatch(receiver, op, from, JSON.readTree(body)));
  }

  /** One binary piece of an object ({@link CopyFrame}), whose signature covered its header. */
  public static JsonNode frame(CopyReceiver receiver, byte[] body) {
    CopyFrame.Piece p = CopyFrame.decode(body);
    receiver.chunk(p.sessionId(), p.index(), p.offset(), p.body(), p.from(), p.length(), p.last());
    return JSON.createObjectNode();
  }

  @Override
  protected byte[] errorBody(WireError error, String message) {
    return ReplicationEndpoint.jsonError(error, message);
  }

  /** One copy operation from the authenticated region {@code from}, as the peer sent it. */
  public static JsonNode dispatch(CopyReceiver receiver, String op, String from, JsonNode in)
      throws IOException {
    ObjectNode out = JSON.createObjectNode();
    switch (op) {
      case "begin" -> {
        CopyReceiver.Begun b = receiver.begin(CopyWire.offer(in, from));
        out.put("SessionId", b.sessionId());
        out.put("RecoveryPointArn", b.pointArn());
        out.put("BackupSizeInBytes", b.sizeBytes());
      }
      case "chunk" -> {
        if (!in.path("Data").isTextual()) {
          throw new DynamoException(WireError.VALIDATION, "a copy chunk carries Data");
        }
        receiver.chunk(
            in.path("SessionId").asText(null),
            in.path("Index").asInt(-1),
            in.path("Offset").asLong(-1),
            in.path("Data").binaryValue(),
            in.path("Last").asBoolean(false));
      }
      case "commit" -> {
        CopyReceiver.Done d = receiver.commit(in.path("SessionId").asText(null));
        out.put("RecoveryPointArn", d.pointArn());
        out.put("BackupSizeInBytes", d.sizeBytes());
      }
      default -> throw new DynamoException(WireError.VALIDATION, "unknown copy operation " + op);
    }
    return out;
  }
}
