package dev.tidemark.api.actions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Capacity;
import dev.tidemark.api.ClientTokens;
import dev.tidemark.api.Conditions;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.ExpressionParams;
import dev.tidemark.api.ItemKeys;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.expressions.Condition;
import dev.tidemark.expressions.ExpressionContext;
import dev.tidemark.expressions.Expressions;
import dev.tidemark.expressions.UpdatePlan;
import dev.tidemark.indexes.IndexKeyCheck;
import dev.tidemark.model.AttributeJson;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.ItemSize;
import dev.tidemark.storage.ItemCodec;
import dev.tidemark.storage.Storage;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.WritePath;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TransactWriteItems: up to 100 Put, Update, Delete and ConditionCheck actions across tables, all
 * or nothing. They run in one {@link WritePath#commitAll} call, so they share one commit time and
 * consecutive sequence numbers in the change log, and no reader (TransactGetItems, Scan) sees some
 * of them without the others. When any action refuses, every action is still evaluated so that the
 * TransactionCanceledException gives a reason for each, in request order.
 *
 * <p>ClientRequestToken makes a call idempotent for 10 minutes; see {@link ClientTokens}.
 */
public final class TransactWriteItems implements Action {
  static final int MAX_ACTIONS = 100;
  private static final int MAX_TOKEN_LENGTH = 36;

  // Sorted properties, so the fingerprint of a request does not depend on its field order.
  private static final ObjectMapper CANONICAL =
      JsonMapper.builder().enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED).build();

  private final Database db;
  private final ClientTokens tokens;

  public TransactWriteItems(Database db) {
    this(db, new ClientTokens(db::now, ClientTokens.DEFAULT_MAX_COMPLETED));
  }

  TransactWriteItems(Database db, ClientTokens tokens) {
    this.db = db;
    this.tokens = tokens;
  }

  /** Never waits: the handler holds the answer until the write is durable, not this thread. */
  @Override
  public boolean mayWait() {
    return false;
  }

  @Override
  public String name() {
    return "TransactWriteItems";
  }

  /** The four action kinds, with their request member names. */
  private enum Kind {
    PUT("Put", "put"),
    UPDATE("Update", "update"),
    DELETE("Delete", "delete"),
    CONDITION_CHECK("ConditionCheck", "conditionCheck");

    final String field;
    final String member;

    Kind(String field, String member) {
      this.field = field;
      this.member = member;
    }
  }

  /**
   * One action as the request states it. {@code attributes} is the Put's item or the others' key.
   */
  private record Parsed(
      Kind kind,
      String tableName,
      Map<String, AttributeValue> attributes,
      Condition condition,
      UpdatePlan plan,
      boolean returnOld) {}

  /**
   * One action resolved against its table. {@code refusal} is a ValidationError found before
   * running (a key that does not fit the schema); such an action has no key.
   */
  private record Planned(
      Parsed parsed,
      Table table,
      Map<String, AttributeValue> key,
      byte[] storageKey,
      String refusal) {

    WritePath.ItemWrite write() {
      return new WritePath.ItemWrite(table, storageKey, key, this::mutate);
    }

    /** What the action does to the current item; refuses by throwing, like any mutation. */
    Map<String, AttributeValue> mutate(Map<String, AttributeValue> current) {
      Conditions.check(parsed.condition(), current, parsed.returnOld());
      return switch (parsed.kind()) {
        case PUT -> parsed.attributes();
        case DELETE -> null;
        case CONDITION_CHECK -> current;
        case UPDATE -> UpdateItem.checkUpdated(table, parsed.plan().applyToItem(current, key));
      };
    }
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    JsonNode items = Json.array(req, "TransactItems");
    String returnCapacity = Json.string(req, "ReturnConsumedCapacity");
    String returnMetrics = Json.string(req, "ReturnItemCollectionMetrics");
    String token = Json.string(req, "ClientRequestToken");
    Constraints c =
        new Constraints()
            .oneOf(returnCapacity, "returnConsumedCapacity", Capacity.RETURN_VALUES)
            .oneOf(returnMetrics, "returnItemCollectionMetrics", List.of("SIZE", "NONE"))
            .notNull(items, "transactItems");
    MultiItem.length(c, items, "transactItems", 1, MAX_ACTIONS);
    if (token != null && (token.isEmpty() || token.length() > MAX_TOKEN_LENGTH)) {
      c.add(
          "Value '"
              + token
              + "' at 'clientRequestToken' failed to satisfy constraint: Member must have length "
              + (token.isEmpty() ? "greater than or equal to 1" : "less than or equal to 36"));
    }
    List<Kind> kinds = new ArrayList<>();
    if (items != null) {
      for (int i = 0; i < items.size(); i++) {
        Kind kind = kindOf(items.get(i));
        kinds.add(kind);
        constrain(c, kind, items.get(i).get(kind.field), "transactItems." + (i + 1) + ".member.");
      }
    }
    c.check();

    List<Parsed> parsed = new ArrayList<>();
    long aggregate = 0;
    for (int i = 0; i < items.size(); i++) {
      Parsed p = parse(kinds.get(i), items.get(i).get(kinds.get(i).field));
      aggregate += ItemSize.of(p.attributes());
      parsed.add(p);
    }
    Cancellation.checkAggregateSize(aggregate);
    List<Table> tables = new ArrayList<>();
    for (Parsed p : parsed) {
      tables.add(db.require(p.tableName()));
    }
    List<Planned> planned = new ArrayList<>();
    Set<Object> seen = new HashSet<>();
    for (int i = 0; i < parsed.size(); i++) {
      Planned p = plan(parsed.get(i), tables.get(i));
      if (p.refusal() == null
          && !seen.add(MultiItem.itemIdentity(p.table().id(), p.storageKey()))) {
        throw DynamoException.validation(
            "Transaction request cannot include multiple operations on one item");
      }
      planned.add(p);
    }

    Capacity.Return capacity = Capacity.Return.of(returnCapacity);
    String tokenKey = token == null ? null : context.caller().accessKeyId() + "\n" + token;
    ClientTokens.Claim claim = tokenKey == null ? null : tokens.claim(tokenKey, fingerprint(items));
    if (claim instanceof ClientTokens.Replay replay) {
      // Nothing is written again. DynamoDB bills a replay as transactional reads of the items.
      ObjectNode out = replay.response();
      if (capacity != Capacity.Return.NONE) {
        replayCapacity(planned).putList(out, capacity);
      }
      return out;
    }
    ClientTokens.Fresh fresh = (ClientTokens.Fresh) claim;
    boolean done = false;
    try {
      List<WritePath.Outcome> outcomes = run(planned);
      ObjectNode out = Json.object();
      if (fresh != null) {
        tokens.complete(fresh, out);
      }
      done = true;
      Capacity.Tally tally = new Capacity.Tally(Capacity.Kind.TRANSACTIONAL_WRITE);
      for (int i = 0; i < planned.size(); i++) {
        WritePath.Outcome o = outcomes.get(i);
        tally.write(
            planned.get(i).parsed().tableName(),
            planned.get(i).table().definition(),
            o.oldItem(),
            o.newItem());
      }
      tally.putList(out, capacity);
      return out;
    } finally {
      if (fresh != null && !done) {
        tokens.release(fresh);
      }
    }
  }

  /** Commits the actions, or throws the cancellation with every action's reason. */
  private List<WritePath.Outcome> run(List<Planned> planned) {
    boolean refusedEarly = planned.stream().anyMatch(p -> p.refusal() != null);
    if (!refusedEarly) {
      List<WritePath.ItemWrite> writes = new ArrayList<>();
      for (Planned p : planned) {
        writes.add(p.write());
      }
      try {
        return db.writePath().commitAll(writes, ChangeRecord.Origin.USER);
      } catch (WritePath.Refused refused) {
        List<ObjectNode> reasons = new ArrayList<>();
        for (DynamoException e : refused.refusals()) {
          reasons.add(e == null ? Cancellation.none() : Cancellation.of(e));
        }
        throw Cancellation.exception(reasons);
      }
    }
    // Cancelled before running. The other actions are still evaluated, against one consistent
    // view and without writing, so that each gets its true reason.
    List<Storage.TableKey> keys = new ArrayList<>();
    for (Planned p : planned) {
      if (p.refusal() == null) {
        requireSpace(p.table());
        keys.add(new Storage.TableKey(p.table().id(), p.storageKey()));
      }
    }
    List<byte[]> current = db.storage().getAll(keys);
    List<ObjectNode> reasons = new ArrayList<>();
    int next = 0;
    for (Planned p : planned) {
      if (p.refusal() != null) {
        reasons.add(Cancellation.validationError(p.refusal()));
        continue;
      }
      byte[] raw = current.get(next++);
      try {
        p.mutate(raw == null ? null : ItemCodec.decode(raw));
        reasons.add(Cancellation.none());
      } catch (DynamoException e) {
        reasons.add(Cancellation.of(e));
      }
    }
    throw Cancellation.exception(reasons);
  }

  private Capacity.Tally replayCapacity(List<Planned> planned) {
    Capacity.Tally tally = new Capacity.Tally(Capacity.Kind.TRANSACTIONAL_READ);
    List<Storage.TableKey> keys = new ArrayList<>();
    for (Planned p : planned) {
      requireSpace(p.table());
      keys.add(new Storage.TableKey(p.table().id(), p.storageKey()));
    }
    List<byte[]> items = db.storage().getAll(keys);
    for (int i = 0; i < planned.size(); i++) {
      byte[] raw = items.get(i);
      tally.read(
          planned.get(i).parsed().tableName(), raw == null ? null : ItemCodec.decode(raw), true);
    }
    return tally;
  }

  private void requireSpace(Table table) {
    if (!db.storage().hasTableSpace(table.id())) {
      throw DynamoException.tableNotFound();
    }
  }

  private static Kind kindOf(JsonNode item) {
    if (item == null || !item.isObject()) {
      throw DynamoException.serialization(
          "Unexpected value type in 'TransactItems': expected a structure");
    }
    Kind found = null;
    int count = 0;
    for (Kind k : Kind.values()) {
      if (Json.objectField(item, k.field) != null) {
        found = k;
        count++;
      }
    }
    if (count == 0) {
      throw DynamoException.validation(
          "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request");
    }
    if (count > 1) {
      throw DynamoException.validation(
          "TransactItems can only contain one of Check, Put, Update or Delete");
    }
    return found;
  }

  /** The member constraints of one action (nulls, names, enums), as the service reports them. */
  private static void constrain(Constraints c, Kind kind, JsonNode action, String prefix) {
    String member = prefix + kind.member + ".";
    String tableName = Json.string(action, "TableName");
    c.notNull(Json.field(action, "TableName"), member + "tableName")
        .tableNameOrArn(tableName, member + "tableName");
    if (kind == Kind.PUT) {
      c.notNull(Json.objectField(action, "Item"), member + "item");
    } else {
      c.notNull(Json.objectField(action, "Key"), member + "key");
    }
    if (kind == Kind.UPDATE) {
      c.notNull(Json.field(action, "UpdateExpression"), member + "updateExpression");
    }
    if (kind == Kind.CONDITION_CHECK) {
      c.notNull(Json.field(action, "ConditionExpression"), member + "conditionExpression");
    }
    c.oneOf(
        Json.string(action, "ReturnValuesOnConditionCheckFailure"),
        member + "returnValuesOnConditionCheckFailure",
        List.of("ALL_OLD", "NONE"));
  }

  /** Parses an action's values and expressions; everything here is checked before anything runs. */
  private static Parsed parse(Kind kind, JsonNode action) {
    String tableName = Json.string(action, "TableName");
    Map<String, AttributeValue> attributes =
        AttributeJson.readMap(action.get(kind == Kind.PUT ? "Item" : "Key"));
    String conditionExpression = Json.string(action, "ConditionExpression");
    String updateExpression = Json.string(action, "UpdateExpression");
    Map<String, String> expressions = new HashMap<>();
    expressions.put("ConditionExpression", conditionExpression);
    if (kind == Kind.UPDATE) {
      expressions.put("UpdateExpression", updateExpression);
    }
    // Transaction actions have no legacy parameters (Expected, AttributeUpdates).
    ExpressionContext ctx = ExpressionParams.read(action, expressions, Map.of());
    UpdatePlan plan = kind == Kind.UPDATE ? Expressions.parseUpdate(updateExpression, ctx) : null;
    Condition condition =
        conditionExpression == null
            ? null
            : Expressions.parseCondition(conditionExpression, ctx, "ConditionExpression");
    ctx.checkAllUsed();
    boolean returnOld =
        "ALL_OLD".equals(Json.string(action, "ReturnValuesOnConditionCheckFailure"));
    return new Parsed(kind, tableName, attributes, condition, plan, returnOld);
  }

  /** Resolves an action's key against its table. */
  private static Planned plan(Parsed p, Table table) {
    String mismatch =
        p.kind() == Kind.PUT
            ? Cancellation.itemKeyMismatch(table.keySchema(), p.attributes())
            : Cancellation.keyMismatch(table.keySchema(), p.attributes());
    if (mismatch != null) {
      return new Planned(p, table, null, null, mismatch);
    }
    Map<String, AttributeValue> key =
        p.kind() == Kind.PUT
            ? ItemKeys.fromItem(table.keySchema(), p.attributes())
            : ItemKeys.fromKey(table.keySchema(), p.attributes());
    if (p.kind() == Kind.PUT && ItemSize.of(p.attributes()) > ItemSize.MAX_ITEM_BYTES) {
      throw DynamoException.validation("Item size has exceeded the maximum allowed size");
    }
    if (p.kind() == Kind.PUT) {
      try {
        IndexKeyCheck.check(table.definition(), p.attributes(), IndexKeyCheck.Source.ITEM);
      } catch (DynamoException e) {
        if (Cancellation.isUpFront(e)) {
          throw e;
        }
        return new Planned(p, table, null, null, e.getMessage());
      }
    }
    if (p.plan() != null) {
      for (String name : p.plan().updatedTopLevelNames()) {
        if (table.keySchema().isKeyAttribute(name)) {
          throw DynamoException.invalidParameter(
              "Cannot update attribute " + name + ". This attribute is part of the key");
        }
      }
      IndexKeyCheck.checkUpdatedPaths(table.definition(), p.plan().updatedPaths());
    }
    return new Planned(p, table, key, ItemKeys.storageKey(table.keySchema(), key), null);
  }

  /** What makes two requests "the same" for a token: their actions, whatever their field order. */
  private static byte[] fingerprint(JsonNode items) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(CANONICAL.writeValueAsBytes(items));
    } catch (NoSuchAlgorithmException | JsonProcessingException e) {
      throw new IllegalStateException("cannot fingerprint a transaction request", e);
    }
  }
}
