package dev.tidemark.expressions;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.model.AttributeValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A validated update: SET, REMOVE, ADD and DELETE actions (from an UpdateExpression or from legacy
 * AttributeUpdates). Everything that can be checked without the item was checked when the plan was
 * made; {@link #apply} checks the rest against the item and changes nothing when any check fails.
 */
public final class UpdatePlan {

  /**
   * One action. {@code clause} is SET, REMOVE, ADD or DELETE, or for legacy AttributeUpdates PUT,
   * LEGACY_ADD or LEGACY_DELETE (whose type rules differ). {@code value} is a resolved operand tree
   * for SET, a literal for the others, and null for REMOVE and value-less DELETE.
   */
  record Action(String clause, DocumentPath path, Node value) {}

  private final List<Action> actions;

  UpdatePlan(List<Action> actions) {
    this.actions = List.copyOf(actions);
  }

  /**
   * Applies the update to a copy of the item (empty map if none) and returns the new item. Operands
   * are read from the item as it was before the update, as DynamoDB does, and list elements removed
   * by index are addressed by their original positions.
   */
  public Map<String, AttributeValue> apply(Map<String, AttributeValue> item) {
    Map<String, AttributeValue> original = item;
    List<UnaryOperator<AttributeValue>> changes = new ArrayList<>();
    List<Action> ordered = new ArrayList<>();
    // Evaluate every operand first, so an error leaves nothing half-applied.
    for (Action a : actions) {
      if (!a.clause().equals("REMOVE")) {
        changes.add(change(a, original));
        ordered.add(a);
      }
    }
    List<Action> removes = new ArrayList<>();
    for (Action a : actions) {
      if (a.clause().equals("REMOVE")) {
        removes.add(a);
      }
    }
    // Higher indexes first, so removing one element does not shift another still to be removed.
    removes.sort(Comparator.comparing(Action::path, UpdatePlan::descendingIndexes));
    AttributeValue root = new AttributeValue.M(item);
    for (int i = 0; i < ordered.size(); i++) {
      root = at(root, ordered.get(i).path().elements(), 0, changes.get(i));
    }
    for (Action a : removes) {
      root = at(root, a.path().elements(), 0, v -> null);
    }
    return new LinkedHashMap<>(((AttributeValue.M) root).values());
  }

  /**
   * The item this update leaves: {@code current} updated, or, when there is no item, one made from
   * {@code key} and updated, except that an update which can only take data away (REMOVE and DELETE
   * actions, legacy DELETE) creates nothing on DynamoDB and answers null here. An update with no
   * actions at all does create the item. Errors are those of {@link #apply}, missing item or not.
   */
  public Map<String, AttributeValue> applyToItem(
      Map<String, AttributeValue> current, Map<String, AttributeValue> key) {
    Map<String, AttributeValue> next = apply(current == null ? new LinkedHashMap<>(key) : current);
    return current == null && !actions.isEmpty() && onlyRemoves() ? null : next;
  }

  private boolean onlyRemoves() {
    for (Action a : actions) {
      switch (a.clause()) {
        case "REMOVE", "DELETE", "LEGACY_DELETE" -> {}
        default -> {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * A total order in which, among paths into the same list, higher indexes come first. It must be a
   * true total order: the sort may reject an inconsistent comparator.
   */
  private static int descendingIndexes(DocumentPath a, DocumentPath b) {
    int n = Math.min(a.size(), b.size());
    for (int k = 0; k < n; k++) {
      DocumentPath.Element x = a.elements().get(k);
      DocumentPath.Element y = b.elements().get(k);
      int c;
      if (x instanceof DocumentPath.Index i && y instanceof DocumentPath.Index j) {
        c = Integer.compare(j.index(), i.index());
      } else if (x instanceof DocumentPath.Name i && y instanceof DocumentPath.Name j) {
        c = i.name().compareTo(j.name());
      } else {
        c = x instanceof DocumentPath.Name ? -1 : 1;
      }
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  /** The change an action makes to the value at its path (null in, null out: absent). */
  private static UnaryOperator<AttributeValue> change(
      Action a, Map<String, AttributeValue> original) {
    switch (a.clause()) {
      case "SET":
        {
          AttributeValue v = setValue(a.value(), original);
          return old -> v;
        }
      case "PUT":
        {
          AttributeValue v = ((Node.Literal) a.value()).value();
          return old -> v;
        }
      case "ADD":
      case "LEGACY_ADD":
        {
          AttributeValue v = ((Node.Literal) a.value()).value();
          boolean legacy = a.clause().equals("LEGACY_ADD");
          return old -> add(old, v, legacy);
        }
      case "DELETE":
      case "LEGACY_DELETE":
        {
          if (a.value() == null) {
            return old -> null;
          }
          AttributeValue v = ((Node.Literal) a.value()).value();
          boolean legacy = a.clause().equals("LEGACY_DELETE");
          return old -> {
            if (old == null) {
              return null;
            }
            if (old.type() != v.type()) {
              throw legacy ? legacyTypeMismatch() : Values.incorrectDataType();
            }
            return Values.difference(old, v);
          };
        }
      default:
        throw new IllegalStateException(a.clause());
    }
  }

  private static AttributeValue add(AttributeValue old, AttributeValue v, boolean legacy) {
    if (old == null) {
      return v;
    }
    if (old instanceof AttributeValue.N x && v instanceof AttributeValue.N y) {
      return Values.arithmetic(x.value(), y.value(), false);
    }
    if (legacy && old instanceof AttributeValue.L && v instanceof AttributeValue.L) {
      return Values.concat(old, v);
    }
    AttributeValue u = old.type() == v.type() ? Values.union(old, v) : null;
    if (u == null) {
      throw legacy ? legacyTypeMismatch() : Values.incorrectDataType();
    }
    return u;
  }

  private static DynamoException legacyTypeMismatch() {
    return DynamoException.validation("Type mismatch for attribute to update");
  }

  private static AttributeValue setValue(Node n, Map<String, AttributeValue> item) {
    if (n instanceof Node.Literal l) {
      return l.value();
    } else if (n instanceof Node.Resolved r) {
      AttributeValue v = r.path().get(item);
      if (v == null) {
        throw DynamoException.validation(
            "The provided expression refers to an attribute that does not exist in the item");
      }
      return v;
    } else if (n instanceof Node.Arith a) {
      AttributeValue l = setValue(a.left(), item);
      AttributeValue r = setValue(a.right(), item);
      if (l instanceof AttributeValue.N x && r instanceof AttributeValue.N y) {
        return Values.arithmetic(x.value(), y.value(), a.op().equals("-"));
      }
      throw Values.incorrectDataType();
    } else if (n instanceof Node.Call c && c.name().equals("if_not_exists")) {
      AttributeValue v = ((Node.Resolved) c.args().get(0)).path().get(item);
      return v != null ? v : setValue(c.args().get(1), item);
    } else if (n instanceof Node.Call c && c.name().equals("list_append")) {
      return Values.concat(setValue(c.args().get(0), item), setValue(c.args().get(1), item));
    }
    throw new IllegalStateException("not an update operand: " + n);
  }

  private static DynamoException invalidPath() {
    return DynamoException.validation(
        "The document path provided in the update expression is invalid for update");
  }

  /**
   * Rebuilds {@code container} with {@code change} applied at {@code path[k..]}. Every step but the
   * last must exist with the right type; a list index past the end appends.
   */
  private static AttributeValue at(
      AttributeValue container,
      List<DocumentPath.Element> path,
      int k,
      UnaryOperator<AttributeValue> change) {
    DocumentPath.Element e = path.get(k);
    boolean last = k == path.size() - 1;
    if (e instanceof DocumentPath.Name name) {
      if (!(container instanceof AttributeValue.M m)) {
        throw invalidPath();
      }
      AttributeValue cur = m.values().get(name.name());
      AttributeValue next;
      if (last) {
        next = change.apply(cur);
      } else {
        if (cur == null) {
          throw invalidPath();
        }
        next = at(cur, path, k + 1, change);
      }
      if (next == cur) {
        return container;
      }
      Map<String, AttributeValue> copy = new LinkedHashMap<>(m.values());
      if (next == null) {
        copy.remove(name.name());
      } else {
        copy.put(name.name(), next);
      }
      return new AttributeValue.M(copy);
    }
    int idx = ((DocumentPath.Index) e).index();
    if (!(container instanceof AttributeValue.L l)) {
      throw invalidPath();
    }
    List<AttributeValue> copy = new ArrayList<>(l.values());
    if (idx >= copy.size()) {
      if (!last) {
        throw invalidPath();
      }
      AttributeValue next = change.apply(null);
      if (next == null) {
        return container;
      }
      copy.add(next);
    } else if (last) {
      AttributeValue next = change.apply(copy.get(idx));
      if (next == null) {
        copy.remove(idx);
      } else {
        copy.set(idx, next);
      }
    } else {
      copy.set(idx, at(copy.get(idx), path, k + 1, change));
    }
    return new AttributeValue.L(copy);
  }

  /** The document paths this update writes or removes, in the order written. */
  public List<DocumentPath> updatedPaths() {
    List<DocumentPath> out = new ArrayList<>();
    actions.forEach(a -> out.add(a.path()));
    return out;
  }

  /** Top-level attribute names this update touches, for the caller's key-attribute check. */
  public Set<String> updatedTopLevelNames() {
    Set<String> out = new LinkedHashSet<>();
    actions.forEach(a -> out.add(a.path().topLevelName()));
    return out;
  }
}
