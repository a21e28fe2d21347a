package dev.tidemark.streams;

import dev.tidemark.errors.DynamoException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Shard iterators: opaque to clients, self-contained for us. Like DynamoDB's, an iterator reads
 * {@code <stream ARN>|1|<token>}; the token holds the table incarnation, the stream's creation
 * instant, the next sequence number to read and the instant the iterator was issued, followed by an
 * HMAC over the ARN and those fields. The server keeps no iterator state, and a client cannot forge
 * a position in another table's log.
 */
public final class ShardIterators {
  private static final String VERSION = "1";
  private static final int FIELDS = 4 * 8;
  private static final int MAC_BYTES = 16;
  private static final String ALGORITHM = "HmacSHA256";

  private final SecretKeySpec key;

  public ShardIterators(StreamCatalog streams) {
    this.key = new SecretKeySpec(streams.iteratorKey(), ALGORITHM);
  }

  /**
   * Where an iterator points.
   *
   * @param streamArn the stream it reads
   * @param tableId the stream's table incarnation
   * @param streamCreatedMillis the stream's creation instant (its label)
   * @param seq the next sequence number to read
   * @param issuedMillis when the iterator was handed out; it expires 15 minutes later
   */
  public record Position(
      String streamArn, long tableId, long streamCreatedMillis, long seq, long issuedMillis) {}

  public String encode(Position p) {
    byte[] fields =
        ByteBuffer.allocate(FIELDS)
            .putLong(p.tableId())
            .putLong(p.streamCreatedMillis())
            .putLong(p.seq())
            .putLong(p.issuedMillis())
            .array();
    byte[] token = Arrays.copyOf(fields, FIELDS + MAC_BYTES);
    System.arraycopy(mac(p.streamArn(), fields), 0, token, FIELDS, MAC_BYTES);
    return p.streamArn()
        + "|"
        + VERSION
        + "|"
        + Base64.getUrlEncoder().withoutPadding().encodeToString(token);
  }

  /** Decodes an iterator, or answers DynamoDB's ValidationException for one we did not issue. */
  public Position decode(String iterator) {
    int last = iterator.lastIndexOf('|');
    int middle = last <= 0 ? -1 : iterator.lastIndexOf('|', last - 1);
    if (middle <= 0 || !iterator.substring(middle + 1, last).equals(VERSION)) {
      throw invalid();
    }
    String arn = iterator.substring(0, middle);
    byte[] token;
    try {
      token = Base64.getUrlDecoder().decode(iterator.substring(last + 1));
    } catch (IllegalArgumentException e) {
      throw invalid();
    }
    if (token.length != FIELDS + MAC_BYTES) {
      throw invalid();
    }
    byte[] fields = Arrays.copyOf(token, FIELDS);
    byte[] expected = Arrays.copyOf(mac(arn, fields), MAC_BYTES);
    if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(token, FIELDS, token.length))) {
      throw invalid();
    }
    ByteBuffer b = ByteBuffer.wrap(fields);
    return new Position(arn, b.getLong(), b.getLong(), b.getLong(), b.getLong());
  }

  private byte[] mac(String arn, byte[] fields) {
    try {
      Mac m = Mac.getInstance(ALGORITHM);
      m.init(key);
      m.update(arn.getBytes(StandardCharsets.UTF_8));
      m.update((byte) 0);
      return m.doFinal(fields);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  private static DynamoException invalid() {
    return DynamoException.validation("Invalid ShardIterator");
  }
}
