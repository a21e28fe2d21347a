package dev.tidemark.tables;

import dev.tidemark.model.AttributeValue;
import java.util.Objects;

/**
 * A primary key (of a table or an index): a hash attribute and an optional range attribute, each
 * with its scalar type from the attribute definitions.
 */
public record KeySchema(
    String hashName,
    AttributeValue.Type hashType,
    String rangeName,
    AttributeValue.Type rangeType) {
  public KeySchema {
    Objects.requireNonNull(hashName);
    Objects.requireNonNull(hashType);
    if ((rangeName == null) != (rangeType == null)) {
      throw new IllegalArgumentException("range name and type go together");
    }
    if (!hashType.isScalarKeyType() || (rangeType != null && !rangeType.isScalarKeyType())) {
      throw new IllegalArgumentException("key attributes must be S, N or B");
    }
  }

  public boolean hasRange() {
    return rangeName != null;
  }

  public boolean isKeyAttribute(String name) {
    return name.equals(hashName) || name.equals(rangeName);
  }
}
