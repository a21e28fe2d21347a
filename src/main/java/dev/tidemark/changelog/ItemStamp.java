package dev.tidemark.changelog;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The version of one item of a replicated table (a global table): commit time, a logical counter
 * and the region that wrote it. Every write to a replicated table gets one, stored atomically with
 * the item (and, for a delete, as a tombstone where the item was) and carried by its change record.
 * Stamps are totally ordered: time, then counter, then region name; a replicated write is applied
 * only if its stamp is higher than the stored one, per whole item ({@link #supersedes}).
 *
 * <p>Stored form (in the table's own space, under {@link #STAMP_PREFIX} followed by the item key
 * without its leading byte): {@code time(8) logical(4) flags(1) region(UTF-8)}. Flag bit 0 marks a
 * tombstone: the item was deleted at this stamp.
 *
 * @param timeMillis the commit time of the write that made this version, in the writing region
 * @param logical orders writes that carry the same time (a local write after a remote one whose
 *     time is ahead of the local clock)
 * @param region the region that accepted the client's write
 */
public record ItemStamp(long timeMillis, int logical, String region)
    implements Comparable<ItemStamp> {

  /** Leading byte of stamp entries in a table space: above every index number (0x02..0xFE). */
  public static final byte STAMP_PREFIX = (byte) 0xFF;

  private static final byte TOMBSTONE = 1;

  public ItemStamp {
    Objects.requireNonNull(region);
    if (timeMillis < 0 || logical < 0) {
      throw new IllegalArgumentException("a stamp's time and counter are never negative");
    }
  }

  /**
   * The stamp of a local write committed at {@code commitTime}: above {@code stored}, so that a
   * region's own writes always win over the version they replace (causality), even when that
   * version came from a region whose clock is ahead. The write path passes the highest stamp it has
   * stored in any table (a hybrid logical clock), which is above every item's own.
   */
  public static ItemStamp next(ItemStamp stored, long commitTime, String region) {
    if (stored == null || stored.timeMillis < commitTime) {
      return new ItemStamp(commitTime, 0, region);
    }
    if (stored.logical == Integer.MAX_VALUE) {
      // Every write of a region counts up while a peer's clock is ahead of ours; a millisecond
      // later is above the stored stamp too.
      return new ItemStamp(stored.timeMillis + 1, 0, region);
    }
    return new ItemStamp(stored.timeMillis, stored.logical + 1, region);
  }

  /** The higher of two stamps; null counts as lower than any stamp. */
  public static ItemStamp max(ItemStamp a, ItemStamp b) {
    return a == null || (b != null && b.compareTo(a) > 0) ? b : a;
  }

  /**
   * The merge rule of replicated writes: the incoming version replaces the stored one only if its
   * stamp is strictly higher. An equal stamp is the same write delivered again (idempotence); no
   * stamp stored means the item was never written under replication.
   */
  public static boolean supersedes(ItemStamp incoming, ItemStamp stored) {
    return stored == null || incoming.compareTo(stored) > 0;
  }

  @Override
  public int compareTo(ItemStamp o) {
    int c = Long.compare(timeMillis, o.timeMillis);
    if (c != 0) {
      return c;
    }
    c = Integer.compare(logical, o.logical);
    return c != 0 ? c : region.compareTo(o.region);
  }

  /** The key of an item's stamp entry, from the item's storage key ({@code 0x01 ‖ key}). */
  public static byte[] storageKey(byte[] itemStorageKey) {
    byte[] k = itemStorageKey.clone();
    k[0] = STAMP_PREFIX;
    return k;
  }

  /** The item's storage key ({@code 0x01 ‖ key}) from its stamp entry's key. */
  public static byte[] itemKey(byte[] stampStorageKey, byte itemsPrefix) {
    byte[] k = stampStorageKey.clone();
    k[0] = itemsPrefix;
    return k;
  }

  public byte[] encode(boolean tombstone) {
    byte[] r = region.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(13 + r.length)
        .putLong(timeMillis)
        .putInt(logical)
        .put(tombstone ? TOMBSTONE : 0)
        .put(r)
        .array();
  }

  /** The stamp in a stored entry, or null for null. */
  public static ItemStamp decode(byte[] stored) {
    if (stored == null) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(stored);
    long time = b.getLong();
    int logical = b.getInt();
    b.get();
    return new ItemStamp(
        time, logical, new String(stored, 13, stored.length - 13, StandardCharsets.UTF_8));
  }

  /** Whether a stored entry marks a deleted item. */
  public static boolean isTombstone(byte[] stored) {
    return (stored[12] & TOMBSTONE) != 0;
  }

  @Override
  public String toString() {
    return timeMillis + "." + logical + "@" + region;
  }
}
