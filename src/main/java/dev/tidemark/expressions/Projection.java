package dev.tidemark.expressions;

import dev.tidemark.model.AttributeValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The attributes to return from an item: a ProjectionExpression, AttributesToGet, or the paths an
 * update touched. Nested paths keep their shape, and selected list elements are returned in index
 * order without gaps, so {@code a.b[1]} yields {@code {"a":{"M":{"b":{"L":[element]}}}}}.
 */
public final class Projection {
  private final List<DocumentPath> paths;
  private final Tree root = new Tree();

  Projection(List<DocumentPath> paths) {
    this.paths = List.copyOf(paths);
    for (DocumentPath p : this.paths) {
      Tree t = root;
      for (DocumentPath.Element e : p.elements()) {
        if (t.whole) {
          break;
        }
        t = t.child(e);
      }
      t.whole = true;
    }
  }

  /** A projection of the given paths; overlapping paths are allowed here and merge. */
  public static Projection ofPaths(List<DocumentPath> paths) {
    return new Projection(paths);
  }

  public List<DocumentPath> paths() {
    return paths;
  }

  public Map<String, AttributeValue> apply(Map<String, AttributeValue> item) {
    Map<String, AttributeValue> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tree> e : root.names.entrySet()) {
      AttributeValue v = project(item.get(e.getKey()), e.getValue());
      if (v != null) {
        out.put(e.getKey(), v);
      }
    }
    return out;
  }

  private static AttributeValue project(AttributeValue v, Tree t) {
    if (v == null || t.whole) {
      return v;
    }
    if (v instanceof AttributeValue.M m && !t.names.isEmpty()) {
      Map<String, AttributeValue> out = new LinkedHashMap<>();
      for (Map.Entry<String, Tree> e : t.names.entrySet()) {
        AttributeValue x = project(m.values().get(e.getKey()), e.getValue());
        if (x != null) {
          out.put(e.getKey(), x);
        }
      }
      return out.isEmpty() ? null : new AttributeValue.M(out);
    }
    if (v instanceof AttributeValue.L l && !t.indexes.isEmpty()) {
      List<AttributeValue> out = new ArrayList<>();
      for (Map.Entry<Integer, Tree> e : t.indexes.entrySet()) {
        if (e.getKey() < l.values().size()) {
          AttributeValue x = project(l.values().get(e.getKey()), e.getValue());
          if (x != null) {
            out.add(x);
          }
        }
      }
      return out.isEmpty() ? null : new AttributeValue.L(out);
    }
    return null;
  }

  /** Requested paths merged into a tree; {@code whole} marks a node returned in full. */
  private static final class Tree {
    boolean whole;
    final Map<String, Tree> names = new LinkedHashMap<>();
    final Map<Integer, Tree> indexes = new TreeMap<>();

    Tree child(DocumentPath.Element e) {
      if (e instanceof DocumentPath.Name n) {
        return names.computeIfAbsent(n.name(), k -> new Tree());
      }
      return indexes.computeIfAbsent(((DocumentPath.Index) e).index(), k -> new Tree());
    }
  }
}
