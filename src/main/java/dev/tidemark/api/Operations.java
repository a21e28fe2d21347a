package dev.tidemark.api;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The dispatch table: each operation name maps to its action. A name that is not here is answered
 * with {@code UnknownOperationException} by the protocol layer; nothing pretends to be built.
 */
public final class Operations {
  private final Map<String, Action> byName = new LinkedHashMap<>();

  public Operations register(Action action) {
    if (byName.putIfAbsent(action.name(), action) != null) {
      throw new IllegalArgumentException("operation registered twice: " + action.name());
    }
    return this;
  }

  public Optional<Action> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public Collection<Action> all() {
    return byName.values();
  }
}
