package dev.tidemark.indexes;

import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.Storage;
import dev.tidemark.storage.WriteSet;
import dev.tidemark.tables.IndexDefinition;
import dev.tidemark.tables.KeySchema;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableCatalog;
import dev.tidemark.tables.TableDefinition;
import dev.tidemark.tables.WritePath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secondary indexes with data: maintenance inside every write (registered with the write path when
 * this is built), counters, online creation with backfill, and deletion.
 */
public final class Indexes implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Indexes.class);

  private final Storage storage;
  private final TableCatalog catalog;
  private final WritePath writePath;
  private final IndexBuilder builder;

  public Indexes(Storage storage, TableCatalog catalog, WritePath writePath) {
    this.storage = storage;
    this.catalog = catalog;
    this.writePath = writePath;
    this.builder = new IndexBuilder(storage, catalog, writePath);
    writePath.addContributor(new IndexMaintainer(storage));
    resume();
  }

  /**
   * Restarts backfills a stop interrupted, and builds indexes declared by catalogs written before
   * indexes held data (number 0): they get a number and are backfilled like a new index.
   */
  private void resume() {
    synchronized (catalog) {
      for (String name : catalog.names()) {
        Table t = catalog.find(name).orElseThrow();
        TableDefinition d = t.definition();
        boolean legacy = d.allIndexes().stream().anyMatch(i -> i.number() == 0);
        if (legacy) {
          TableDefinition numbered =
              d.withIndexes(
                      d.attributeDefinitions(),
                      creatingIfUnnumbered(d.localIndexes()),
                      creatingIfUnnumbered(d.globalIndexes()))
                  .withIndexNumbers();
          WriteSet clear = new WriteSet();
          for (IndexDefinition i : numbered.allIndexes()) {
            if (d.index(i.name()).orElseThrow().number() == 0) {
              clear(clear, d.id(), i);
            }
          }
          writePath.exclusive(() -> catalog.update(t, numbered, clear));
          LOG.info("table {}: building indexes declared before index data existed", name);
        }
        resumeBuilds(t);
      }
    }
  }

  /**
   * Starts the backfill of every {@code CREATING} index of a table that did not come through {@link
   * #createGlobal}: a table restored from a snapshot taken while an index was being built.
   */
  public void resumeBuilds(Table table) {
    for (IndexDefinition i : table.definition().allIndexes()) {
      if (IndexDefinition.CREATING.equals(i.status()) && i.number() != 0) {
        builder.start(table, i.name());
      }
    }
  }

  private static List<IndexDefinition> creatingIfUnnumbered(List<IndexDefinition> list) {
    List<IndexDefinition> out = new ArrayList<>();
    for (IndexDefinition i : list) {
      out.add(i.number() == 0 ? i.withStatus(IndexDefinition.CREATING) : i);
    }
    return out;
  }

  /** Removes whatever a number's earlier owner may have left: a new index starts empty. */
  private static void clear(WriteSet w, long tableId, IndexDefinition numbered) {
    w.deleteRange(tableId, IndexEntries.lower(numbered), IndexEntries.upper(numbered));
    w.deleteMeta(TableCatalog.indexStatsKey(tableId, numbered.number()));
  }

  /** The counters of one index as of the last applied write. */
  public IndexStats stats(long tableId, IndexDefinition index) {
    if (index.number() == 0) {
      return IndexStats.EMPTY;
    }
    return IndexStats.decode(storage.getMeta(TableCatalog.indexStatsKey(tableId, index.number())));
  }

  /**
   * Adds a global index to a live table and starts its backfill. The caller holds the catalog
   * monitor and has validated the request; {@code base} is the definition to extend (it may carry
   * other changes of the same request).
   *
   * @param attributeDefinitions the table's attribute definitions including the new index's keys
   */
  public void createGlobal(
      Table table,
      TableDefinition base,
      IndexDefinition index,
      Map<String, AttributeValue.Type> attributeDefinitions) {
    List<IndexDefinition> gsis = new ArrayList<>(base.globalIndexes());
    gsis.add(index.withNumber(0).withStatus(IndexDefinition.CREATING));
    TableDefinition updated =
        base.withIndexes(attributeDefinitions, base.localIndexes(), gsis).withIndexNumbers();
    IndexDefinition numbered = updated.index(index.name()).orElseThrow();
    WriteSet w = new WriteSet();
    clear(w, base.id(), numbered);
    // Under the write lock: every commit from here on sees the index and maintains it.
    writePath.exclusive(() -> catalog.update(table, updated, w));
    builder.start(table, index.name());
  }

  /**
   * Removes a global index, its entries and its counters in one atomic batch. The caller holds the
   * catalog monitor and has checked that the index exists and is global.
   */
  public void deleteGlobal(Table table, TableDefinition base, String indexName) {
    IndexDefinition gone = base.index(indexName).orElseThrow();
    List<IndexDefinition> gsis = new ArrayList<>(base.globalIndexes());
    gsis.remove(gone);
    TableDefinition updated =
        base.withIndexes(
            usedDefinitions(base, base.localIndexes(), gsis), base.localIndexes(), gsis);
    WriteSet w = new WriteSet();
    clear(w, base.id(), gone);
    writePath.exclusive(() -> catalog.update(table, updated, w));
  }

  /** DynamoDB lists only the attribute definitions some key still uses. */
  private static Map<String, AttributeValue.Type> usedDefinitions(
      TableDefinition d, List<IndexDefinition> lsis, List<IndexDefinition> gsis) {
    Set<String> used = new LinkedHashSet<>();
    addKeys(used, d.keySchema());
    lsis.forEach(i -> addKeys(used, i.keySchema()));
    gsis.forEach(i -> addKeys(used, i.keySchema()));
    Map<String, AttributeValue.Type> out = new LinkedHashMap<>();
    d.attributeDefinitions()
        .forEach(
            (name, type) -> {
              if (used.contains(name)) {
                out.put(name, type);
              }
            });
    return out;
  }

  private static void addKeys(Set<String> used, KeySchema k) {
    for (KeySchema.Part p : k.parts()) {
      used.add(p.name());
    }
  }

  @Override
  public void close() {
    builder.close();
  }
}
