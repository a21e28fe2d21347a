package dev.tidemark.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/** Builders and readers shared by the secondary-index integration tests. */
final class Indexed {
  private Indexed() {}

  static AttributeDefinition attr(String name, ScalarAttributeType type) {
    return AttributeDefinition.builder().attributeName(name).attributeType(type).build();
  }

  static KeySchemaElement hash(String name) {
    return KeySchemaElement.builder().attributeName(name).keyType(KeyType.HASH).build();
  }

  static KeySchemaElement range(String name) {
    return KeySchemaElement.builder().attributeName(name).keyType(KeyType.RANGE).build();
  }

  static Projection projection(ProjectionType type, String... nonKey) {
    Projection.Builder p = Projection.builder().projectionType(type);
    if (nonKey.length > 0) {
      p.nonKeyAttributes(nonKey);
    }
    return p.build();
  }

  static List<KeySchemaElement> keys(String hash, String range) {
    List<KeySchemaElement> k = new ArrayList<>();
    k.add(hash(hash));
    if (range != null) {
      k.add(range(range));
    }
    return k;
  }

  static GlobalSecondaryIndex gsi(
      String name, String hash, String range, ProjectionType type, String... nonKey) {
    return GlobalSecondaryIndex.builder()
        .indexName(name)
        .keySchema(keys(hash, range))
        .projection(projection(type, nonKey))
        .build();
  }

  static LocalSecondaryIndex lsi(
      String name, String hash, String range, ProjectionType type, String... nonKey) {
    return LocalSecondaryIndex.builder()
        .indexName(name)
        .keySchema(keys(hash, range))
        .projection(projection(type, nonKey))
        .build();
  }

  static AttributeValue s(String v) {
    return AttributeValue.fromS(v);
  }

  static AttributeValue n(long v) {
    return AttributeValue.fromN(Long.toString(v));
  }

  /** Every item of a query, following LastEvaluatedKey page by page. */
  static List<Map<String, AttributeValue>> queryAll(DynamoDbClient ddb, QueryRequest first) {
    List<Map<String, AttributeValue>> out = new ArrayList<>();
    QueryRequest req = first;
    while (true) {
      QueryResponse r = ddb.query(req);
      out.addAll(r.items());
      if (!r.hasLastEvaluatedKey() || r.lastEvaluatedKey().isEmpty()) {
        return out;
      }
      req = req.toBuilder().exclusiveStartKey(r.lastEvaluatedKey()).build();
    }
  }

  static <T> List<T> map(
      List<Map<String, AttributeValue>> items, Function<Map<String, AttributeValue>, T> f) {
    List<T> out = new ArrayList<>();
    for (Map<String, AttributeValue> i : items) {
      out.add(f.apply(i));
    }
    return out;
  }

  static GlobalSecondaryIndexDescription gsiOf(TableDescription t, String name) {
    return t.globalSecondaryIndexes().stream()
        .filter(g -> g.indexName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  /**
   * Polls DescribeTable until the index is ACTIVE. Backfill runs in the background; the generous
   * bound only turns a hang into a failure, it asserts nothing about speed.
   */
  static TableDescription awaitActive(DynamoDbClient ddb, String table, String index)
      throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (true) {
      TableDescription t = ddb.describeTable(r -> r.tableName(table)).table();
      if (gsiOf(t, index).indexStatus() == IndexStatus.ACTIVE) {
        return t;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("index " + index + " never became ACTIVE");
      }
      Thread.sleep(20);
    }
  }
}
