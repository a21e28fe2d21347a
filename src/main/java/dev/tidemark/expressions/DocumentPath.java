package dev.tidemark.expressions;

import dev.tidemark.model.AttributeValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A document path: a top-level attribute name followed by map keys and list indexes, such as {@code
 * a.b[2].c}. Names here are the real attribute names, after placeholder substitution. {@link
 * #toString()} renders the path the way DynamoDB prints it in messages: {@code [a, b, [2], c]}.
 */
public record DocumentPath(List<Element> elements) {

  public DocumentPath {
    elements = List.copyOf(elements);
    if (elements.isEmpty() || !(elements.get(0) instanceof Name)) {
      throw new IllegalArgumentException("a document path starts with an attribute name");
    }
  }

  /** One step of a path. */
  public sealed interface Element permits Name, Index {}

  /** A top-level attribute name or a map key. */
  public record Name(String name) implements Element {
    public Name {
      Objects.requireNonNull(name);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** A zero-based list index. */
  public record Index(int index) implements Element {
    @Override
    public String toString() {
      return "[" + index + "]";
    }
  }

  /** A path of map keys only, starting with a top-level attribute name. */
  public static DocumentPath of(String topLevel, String... keys) {
    List<Element> e = new ArrayList<>();
    e.add(new Name(topLevel));
    for (String k : keys) {
      e.add(new Name(k));
    }
    return new DocumentPath(e);
  }

  public String topLevelName() {
    return ((Name) elements.get(0)).name();
  }

  public boolean isTopLevel() {
    return elements.size() == 1;
  }

  public int size() {
    return elements.size();
  }

  /** The value at this path in the item, or null when any step is missing or of the wrong type. */
  public AttributeValue get(Map<String, AttributeValue> item) {
    AttributeValue cur = item.get(topLevelName());
    for (int i = 1; i < elements.size() && cur != null; i++) {
      Element e = elements.get(i);
      if (e instanceof Name n) {
        cur = cur instanceof AttributeValue.M m ? m.values().get(n.name()) : null;
      } else {
        int idx = ((Index) e).index();
        cur =
            cur instanceof AttributeValue.L l && idx < l.values().size()
                ? l.values().get(idx)
                : null;
      }
    }
    return cur;
  }

  /** True when {@code prefix} is this path or an ancestor of it. */
  boolean startsWith(DocumentPath prefix) {
    return prefix.elements.size() <= elements.size()
        && elements.subList(0, prefix.elements.size()).equals(prefix.elements);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < elements.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(elements.get(i));
    }
    return sb.append(']').toString();
  }
}
