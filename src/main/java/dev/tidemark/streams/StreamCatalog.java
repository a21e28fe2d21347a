package dev.tidemark.streams;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.Storage;
import dev.tidemark.storage.WriteSet;
import dev.tidemark.tables.TableDefinition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The streams that exist, enabled or disabled, persisted in the meta space under {@code
 * stream/<table name> 0x00 <label>}: sorted by table name, then by creation time, which is the
 * order ListStreams pages through. Changes are not applied here but added to a batch, so that a
 * stream is enabled or closed atomically with the table definition that says so.
 *
 * <p>Nothing is cached: streams are few and read from RocksDB's memtable or block cache, and a
 * cache would be one more thing to keep consistent with that batch.
 */
public final class StreamCatalog {
  private static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules().build();
  private static final String PREFIX = "stream/";
  private static final byte[] ITERATOR_KEY = bytes("stream-iterator-key");
  private static final Pattern ARN =
      Pattern.compile(
          "arn:aws:dynamodb:([a-z0-9-]+):(\\d{12}):table/([a-zA-Z0-9_.-]{3,255})/stream/"
              + "(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3})");

  private final Storage storage;
  private final String region;
  private final String account;
  private final byte[] iteratorKey;

  public StreamCatalog(Storage storage, String region, String account) {
    this.storage = storage;
    this.region = region;
    this.account = account;
    this.iteratorKey = loadOrCreateIteratorKey(storage);
  }

  /** The address of a stream in a request: its ARN, split into the parts that find it. */
  public record Address(String region, String account, String tableName, String label) {}

  /** Parses a stream ARN; empty when it does not have a stream ARN's shape. */
  public static Optional<Address> parseArn(String arn) {
    Matcher m = ARN.matcher(arn);
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(new Address(m.group(1), m.group(2), m.group(3), m.group(4)));
  }

  public String arn(StreamDescriptor s) {
    return "arn:aws:dynamodb:"
        + region
        + ":"
        + account
        + ":table/"
        + s.tableName()
        + "/stream/"
        + s.label();
  }

  /** The stream a well-formed ARN names, if it exists here. */
  public Optional<StreamDescriptor> find(Address a) {
    if (!a.region().equals(region) || !a.account().equals(account)) {
      return Optional.empty();
    }
    return Optional.ofNullable(read(storage.getMeta(key(a.tableName(), a.label()))));
  }

  /**
   * Streams in ListStreams order, optionally of one table name only, starting after the stream
   * whose key is {@code after} (null for the first), at most {@code limit}.
   */
  public List<StreamDescriptor> list(String tableName, Address after, int limit) {
    byte[] prefix = tableName == null ? bytes(PREFIX) : bytes(PREFIX + tableName + "\0");
    byte[] afterKey = after == null ? null : key(after.tableName(), after.label());
    List<StreamDescriptor> out = new ArrayList<>();
    try (Cursor c = storage.scanMeta(prefix)) {
      while (out.size() < limit && c.next()) {
        if (afterKey == null || java.util.Arrays.compareUnsigned(c.key(), afterKey) > 0) {
          out.add(read(c.value()));
        }
      }
    }
    return out;
  }

  /** The newest stream of a table incarnation, enabled or not: DescribeTable's LatestStreamArn. */
  public Optional<StreamDescriptor> latest(TableDefinition table) {
    StreamDescriptor latest = null;
    for (StreamDescriptor s : list(table.name(), null, Integer.MAX_VALUE)) {
      if (s.tableId() == table.id()) {
        latest = s;
      }
    }
    return Optional.ofNullable(latest);
  }

  /**
   * Adds a new enabled stream of {@code table}, covering sequence numbers from {@code startSeq}, to
   * {@code batch}. Labels are unique per table name: two streams enabled in one millisecond get
   * consecutive ones.
   */
  public StreamDescriptor open(
      TableDefinition table, String viewType, long startSeq, long nowMillis, WriteSet batch) {
    long created = nowMillis;
    while (storage.getMeta(key(table.name(), StreamDescriptor.label(created))) != null) {
      created++;
    }
    StreamDescriptor s =
        new StreamDescriptor(
            table.name(), table.id(), table.keySchema(), viewType, created, startSeq, null, null);
    batch.putMeta(key(s), json(s));
    return s;
  }

  /** Adds to {@code batch} the closing of the table's enabled stream, if it has one. */
  public Optional<StreamDescriptor> close(
      TableDefinition table, long endSeq, long nowMillis, WriteSet batch) {
    Optional<StreamDescriptor> open = latest(table).filter(StreamDescriptor::enabled);
    open.ifPresent(
        s -> {
          StreamDescriptor closed = s.closed(endSeq, nowMillis);
          batch.putMeta(key(closed), json(closed));
        });
    return open;
  }

  /**
   * Forgets streams disabled before {@code cutoffMillis}: their records are past retention, so
   * nothing is left to read. Enabled streams stay; retention trims only their oldest records.
   */
  public int expire(long cutoffMillis) {
    WriteSet batch = new WriteSet();
    int n = 0;
    try (Cursor c = storage.scanMeta(bytes(PREFIX))) {
      while (c.next()) {
        StreamDescriptor s = read(c.value());
        if (s.disabledMillis() != null && s.disabledMillis() < cutoffMillis) {
          batch.deleteMeta(c.key());
          n++;
        }
      }
    }
    if (n > 0) {
      storage.apply(batch);
    }
    return n;
  }

  /** The secret that signs shard iterators; kept in the meta space so restarts keep them valid. */
  byte[] iteratorKey() {
    return iteratorKey.clone();
  }

  private static byte[] loadOrCreateIteratorKey(Storage storage) {
    byte[] key = storage.getMeta(ITERATOR_KEY);
    if (key == null) {
      key = new byte[32];
      new SecureRandom().nextBytes(key);
      storage.apply(new WriteSet().putMeta(ITERATOR_KEY, key));
      storage.sync();
    }
    return key;
  }

  private static byte[] key(StreamDescriptor s) {
    return key(s.tableName(), s.label());
  }

  private static byte[] key(String tableName, String label) {
    return bytes(PREFIX + tableName + "\0" + label);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static StreamDescriptor read(byte[] raw) {
    if (raw == null) {
      return null;
    }
    try {
      return JSON.readValue(raw, StreamDescriptor.class);
    } catch (IOException e) {
      throw new IllegalStateException("a stream descriptor is unreadable", e);
    }
  }

  private static byte[] json(StreamDescriptor s) {
    try {
      return JSON.writeValueAsBytes(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize stream " + s.label(), e);
    }
  }
}
