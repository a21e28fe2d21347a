package dev.tidemark.tables;

import dev.tidemark.model.AttributeValue;
import java.util.Map;
import java.util.UUID;

/** Tables for write-path tests: hash key {@code pk} (a string), on demand, nothing else. */
public final class TestTables {
  private TestTables() {}

  /** The definition; {@code streamViewType} null for a table without a stream. */
  public static TableDefinition definition(String name, long id, String streamViewType) {
    return new TableDefinition(
        name,
        id,
        UUID.randomUUID().toString(),
        0,
        new KeySchema("pk", AttributeValue.Type.S, null, null),
        Map.of("pk", AttributeValue.Type.S),
        TableDefinition.PAY_PER_REQUEST,
        null,
        null,
        null,
        streamViewType,
        null,
        null,
        null,
        null,
        false,
        0);
  }

  /** Creates the table in {@code db}'s catalog. */
  public static Table create(Database db, String name, String streamViewType) {
    return db.catalog()
        .create(definition(name, db.catalog().allocateId(), streamViewType), Map.of());
  }
}
