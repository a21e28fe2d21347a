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

  /**
   * Replaces the action registered as {@code name} by {@code wrapper} applied to it (routing that
   * cuts across actions, such as multi-Region strong consistency's). Does nothing for an unknown
   * name.
   */
  public Operations wrap(String name, java.util.function.UnaryOperator<Action> wrapper) {
    byName.computeIfPresent(name, (n, a) -> wrapper.apply(a));
    return this;
  }

  public Optional<Action> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public Collection<Action> all() {
    return byName.values();
  }
}
