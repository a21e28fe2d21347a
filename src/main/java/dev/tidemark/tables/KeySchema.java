package dev.tidemark.tables;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tidemark.model.AttributeValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A primary key (of a table or an index): hash attributes and optional range attributes, each with
 * its scalar type from the attribute definitions. Tables and local indexes have one hash and at
 * most one range attribute; a global index may have up to {@link #MAX_PARTS} of each (DynamoDB's
 * multi-attribute keys).
 *
 * <p>The first hash and first range attribute are the record's first four components, so a catalog
 * written before multi-attribute keys reads unchanged, and a single-attribute schema is written as
 * it always was ({@code moreHash}/{@code moreRange} are left out when empty). Code on the write
 * path reads the parts by position ({@link #hashCount}, {@link #hashName(int)}, ...), which
 * allocates nothing.
 *
 * @param moreHash the hash attributes after the first, in KeySchema order
 * @param moreRange the range attributes after the first, in KeySchema order
 */
public record KeySchema(
    String hashName,
    AttributeValue.Type hashType,
    String rangeName,
    AttributeValue.Type rangeType,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Part> moreHash,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Part> moreRange) {

  /** Most hash, and most range, attributes a global index's key may have. */
  public static final int MAX_PARTS = 4;

  /** One key attribute and its declared type. */
  public record Part(String name, AttributeValue.Type type) {
    public Part {
      Objects.requireNonNull(name);
      Objects.requireNonNull(type);
      if (!type.isScalarKeyType()) {
        throw new IllegalArgumentException("key attributes must be S, N or B");
      }
    }
  }

  @JsonCreator
  public KeySchema {
    Objects.requireNonNull(hashName);
    Objects.requireNonNull(hashType);
    if ((rangeName == null) != (rangeType == null)) {
      throw new IllegalArgumentException("range name and type go together");
    }
    if (!hashType.isScalarKeyType() || (rangeType != null && !rangeType.isScalarKeyType())) {
      throw new IllegalArgumentException("key attributes must be S, N or B");
    }
    moreHash = moreHash == null ? List.of() : List.copyOf(moreHash);
    moreRange = moreRange == null ? List.of() : List.copyOf(moreRange);
    if (rangeName == null && !moreRange.isEmpty()) {
      throw new IllegalArgumentException("further range attributes need a first one");
    }
    if (moreHash.size() >= MAX_PARTS || moreRange.size() >= MAX_PARTS) {
      throw new IllegalArgumentException("at most " + MAX_PARTS + " hash and range attributes");
    }
    Set<String> names = new HashSet<>();
    names.add(hashName);
    boolean distinct = rangeName == null || names.add(rangeName);
    for (Part p : moreHash) {
      distinct &= names.add(p.name());
    }
    for (Part p : moreRange) {
      distinct &= names.add(p.name());
    }
    if (!distinct) {
      throw new IllegalArgumentException("key attribute names must differ");
    }
  }

  /** A key of one hash attribute and an optional range attribute. */
  public KeySchema(
      String hashName,
      AttributeValue.Type hashType,
      String rangeName,
      AttributeValue.Type rangeType) {
    this(hashName, hashType, rangeName, rangeType, List.of(), List.of());
  }

  /** A key of the given hash and range attributes, each list in KeySchema order. */
  public static KeySchema of(List<Part> hash, List<Part> range) {
    if (hash.isEmpty()) {
      throw new IllegalArgumentException("a key needs a hash attribute");
    }
    Part r = range.isEmpty() ? null : range.get(0);
    return new KeySchema(
        hash.get(0).name(),
        hash.get(0).type(),
        r == null ? null : r.name(),
        r == null ? null : r.type(),
        hash.subList(1, hash.size()),
        range.isEmpty() ? List.of() : range.subList(1, range.size()));
  }

  public boolean hasRange() {
    return rangeName != null;
  }

  /** Whether more than one hash or more than one range attribute makes up the key. */
  public boolean composite() {
    return !moreHash.isEmpty() || !moreRange.isEmpty();
  }

  public int hashCount() {
    return 1 + moreHash.size();
  }

  public int rangeCount() {
    return rangeName == null ? 0 : 1 + moreRange.size();
  }

  public String hashName(int i) {
    return i == 0 ? hashName : moreHash.get(i - 1).name();
  }

  public AttributeValue.Type hashType(int i) {
    return i == 0 ? hashType : moreHash.get(i - 1).type();
  }

  public String rangeName(int i) {
    if (rangeName == null) {
      throw new IndexOutOfBoundsException(i);
    }
    return i == 0 ? rangeName : moreRange.get(i - 1).name();
  }

  public AttributeValue.Type rangeType(int i) {
    if (rangeName == null) {
      throw new IndexOutOfBoundsException(i);
    }
    return i == 0 ? rangeType : moreRange.get(i - 1).type();
  }

  /** The hash attributes in KeySchema order (allocates: not for the write path). */
  public List<Part> hashParts() {
    List<Part> out = new ArrayList<>(hashCount());
    out.add(new Part(hashName, hashType));
    out.addAll(moreHash);
    return out;
  }

  /** The range attributes in KeySchema order, empty without a range key. */
  public List<Part> rangeParts() {
    if (rangeName == null) {
      return List.of();
    }
    List<Part> out = new ArrayList<>(rangeCount());
    out.add(new Part(rangeName, rangeType));
    out.addAll(moreRange);
    return out;
  }

  /** Every key attribute: hash attributes, then range attributes. */
  public List<Part> parts() {
    List<Part> out = hashParts();
    out.addAll(rangeParts());
    return out;
  }

  public boolean isKeyAttribute(String name) {
    if (name.equals(hashName) || name.equals(rangeName)) {
      return true;
    }
    for (int i = 0; i < moreHash.size(); i++) {
      if (moreHash.get(i).name().equals(name)) {
        return true;
      }
    }
    for (int i = 0; i < moreRange.size(); i++) {
      if (moreRange.get(i).name().equals(name)) {
        return true;
      }
    }
    return false;
  }
}
