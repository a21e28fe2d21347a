package dev.tidemark.ttl;

import dev.tidemark.api.ItemKeys;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.ItemCodec;
import dev.tidemark.storage.StorageException;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TimeToLive;
import dev.tidemark.tables.WritePath;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes expired items of tables with time to live enabled. An item is expired when its TTL
 * attribute is a number of epoch seconds before now; as on DynamoDB, a value more than five years
 * in the past is taken for a mistake (milliseconds, say) and ignored, and any other type is
 * ignored.
 *
 * <p>Deletions go through the write path like any other, with origin {@code TTL_EXPIRY}, so they
 * reach the change log (and Streams, which marks them as the service's). The mutation re-checks the
 * expiry under the write lock: a client that rewrote the item with a later expiry between the scan
 * and the delete wins. Until the sweeper reaches an expired item, reads still return it, which is
 * also DynamoDB's behaviour.
 *
 * <p>The clock is injected, so tests decide what "now" is and call {@link #sweepOnce()} directly.
 */
public final class TtlSweeper {
  private static final Logger log = LoggerFactory.getLogger(TtlSweeper.class);
  private static final BigDecimal FIVE_YEARS_SECONDS = BigDecimal.valueOf(5L * 365 * 24 * 3600);
  // Small commits keep the write lock free for clients between them.
  private static final int ITEMS_PER_COMMIT = 25;

  private final Database db;
  private final LongSupplier clock;
  private final java.util.concurrent.atomic.LongAdder deletedTotal =
      new java.util.concurrent.atomic.LongAdder();

  public TtlSweeper(Database db, LongSupplier clock) {
    this.db = db;
    this.clock = clock;
  }

  /** Items deleted as expired since this sweeper was made. */
  public long deletedTotal() {
    return deletedTotal.sum();
  }

  /** One pass over every table with TTL enabled; returns the number of items deleted. */
  public int sweepOnce() {
    BigDecimal now = BigDecimal.valueOf(clock.getAsLong()).movePointLeft(3);
    int deleted = 0;
    for (String name : db.catalog().names()) {
      if (Thread.currentThread().isInterrupted()) {
        break;
      }
      Optional<Table> table = db.catalog().find(name);
      if (table.isEmpty()) {
        continue;
      }
      TimeToLive ttl = db.catalog().timeToLive(table.get());
      if (ttl.enabled()) {
        deleted += sweep(table.get(), ttl.attributeName(), now);
      }
    }
    deletedTotal.add(deleted);
    if (deleted > 0) {
      log.debug("TTL sweep deleted {} expired items", deleted);
    }
    return deleted;
  }

  /** Whether {@code item} is expired at {@code nowSeconds} under {@code attribute}. */
  public static boolean expired(
      Map<String, AttributeValue> item, String attribute, BigDecimal nowSeconds) {
    if (item == null || !(item.get(attribute) instanceof AttributeValue.N n)) {
      return false;
    }
    BigDecimal at = n.value();
    return at.compareTo(nowSeconds) < 0
        && at.compareTo(nowSeconds.subtract(FIVE_YEARS_SECONDS)) >= 0;
  }

  /**
   * The sweeper's write: deletes the item only if it is still expired when the write lock is held,
   * and otherwise leaves it as it is (no change, so no change record).
   */
  public static WritePath.Mutation deleteIfExpired(String attribute, BigDecimal nowSeconds) {
    return current -> expired(current, attribute, nowSeconds) ? null : current;
  }

  private int sweep(Table table, String attribute, BigDecimal now) {
    int deleted = 0;
    List<WritePath.ItemWrite> batch = new ArrayList<>();
    try (Cursor c =
        db.storage().scan(table.id(), ItemKeys.itemsLower(), ItemKeys.itemsUpper(), false)) {
      while (!Thread.currentThread().isInterrupted() && c.next()) {
        Map<String, AttributeValue> item = ItemCodec.decode(c.value());
        if (!expired(item, attribute, now)) {
          continue;
        }
        batch.add(
            new WritePath.ItemWrite(
                table,
                c.key(),
                ItemKeys.keyOf(table.keySchema(), item),
                deleteIfExpired(attribute, now)));
        if (batch.size() == ITEMS_PER_COMMIT) {
          deleted += commit(batch);
          batch.clear();
        }
      }
      deleted += commit(batch);
    } catch (StorageException | DynamoException e) {
      // The table was deleted while we swept it; its items went with it.
      log.debug("TTL sweep of {} stopped: {}", table.name(), e.getMessage());
    }
    return deleted;
  }

  private int commit(List<WritePath.ItemWrite> batch) {
    if (batch.isEmpty()) {
      return 0;
    }
    int n = 0;
    for (WritePath.Outcome o : db.writePath().commit(batch, ChangeRecord.Origin.TTL_EXPIRY)) {
      if (o.changed()) {
        n++;
      }
    }
    return n;
  }
}
