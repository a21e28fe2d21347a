package dev.tidemark.storage;

import static dev.tidemark.storage.KeyArbitraries.dynamoCompare;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.AttributeValue.Type;
import dev.tidemark.model.Bytes;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.Tuple.Tuple4;
import org.junit.jupiter.api.Test;

class KeyEncodingTest {

  private static int sign(int c) {
    return Integer.signum(c);
  }

  private static int compareEncoded(AttributeValue a, AttributeValue b) {
    return Arrays.compareUnsigned(KeyEncoding.encode(a), KeyEncoding.encode(b));
  }

  private static String hex(byte[] b) {
    return HexFormat.ofDelimiter(" ").formatHex(b);
  }

  // ---- order

  @Provide
  Arbitrary<Tuple2<AttributeValue, AttributeValue>> numberPairs() {
    return KeyArbitraries.keyPairs(Type.N);
  }

  @Provide
  Arbitrary<Tuple2<AttributeValue, AttributeValue>> stringPairs() {
    return KeyArbitraries.keyPairs(Type.S);
  }

  @Provide
  Arbitrary<Tuple2<AttributeValue, AttributeValue>> binaryPairs() {
    return KeyArbitraries.keyPairs(Type.B);
  }

  // Protects range queries on numeric sort keys: RocksDB byte order must equal numeric order.
  @Property(tries = 1000)
  void numberEncodingPreservesNumericOrder(
      @ForAll("numberPairs") Tuple2<AttributeValue, AttributeValue> p) {
    assertThat(sign(compareEncoded(p.get1(), p.get2())))
        .as("%s vs %s", p.get1(), p.get2())
        .isEqualTo(sign(dynamoCompare(p.get1(), p.get2())));
  }

  // Protects string sort keys: order must be DynamoDB's UTF-8 byte order, also around U+0000.
  @Property(tries = 2000)
  void stringEncodingPreservesUtf8Order(
      @ForAll("stringPairs") Tuple2<AttributeValue, AttributeValue> p) {
    assertThat(sign(compareEncoded(p.get1(), p.get2())))
        .isEqualTo(sign(dynamoCompare(p.get1(), p.get2())));
  }

  // Protects binary sort keys: unsigned byte order must survive the 0x00 escaping.
  @Property(tries = 2000)
  void binaryEncodingPreservesUnsignedOrder(
      @ForAll("binaryPairs") Tuple2<AttributeValue, AttributeValue> p) {
    assertThat(sign(compareEncoded(p.get1(), p.get2())))
        .isEqualTo(sign(dynamoCompare(p.get1(), p.get2())));
  }

  // Protects the hand-checked corners of each order against a generator that misses them.
  @Test
  void knownValuesSortInDynamoOrder() {
    List<AttributeValue> numbers = new ArrayList<>();
    KeyArbitraries.EDGE_NUMBERS.forEach(n -> numbers.add(AttributeValue.n(n)));
    List<AttributeValue> strings =
        List.of(
            AttributeValue.s(""),
            AttributeValue.s("\0"),
            AttributeValue.s("\0\0"),
            AttributeValue.s("\0a"),
            AttributeValue.s("\u0001"),
            AttributeValue.s("a"),
            AttributeValue.s("a\0"),
            AttributeValue.s("ab"),
            AttributeValue.s("\u007f"),
            AttributeValue.s("\u0080"),
            AttributeValue.s("\uffff"),
            // Above U+FFFF in UTF-8 order, though UTF-16 (String.compareTo) puts it below.
            AttributeValue.s("\ud83d\ude00"));
    List<AttributeValue> binaries =
        List.of(
            AttributeValue.b(new byte[] {}),
            AttributeValue.b(new byte[] {0}),
            AttributeValue.b(new byte[] {0, 0}),
            AttributeValue.b(new byte[] {0, (byte) 0xFF}),
            AttributeValue.b(new byte[] {1}),
            AttributeValue.b(new byte[] {(byte) 0xFF}),
            AttributeValue.b(new byte[] {(byte) 0xFF, 0}));
    for (List<AttributeValue> values : List.of(numbers, strings, binaries)) {
      List<AttributeValue> byEncoding = new ArrayList<>(values);
      byEncoding.sort(Comparator.comparing(KeyEncoding::encode, Arrays::compareUnsigned));
      List<AttributeValue> byValue = new ArrayList<>(values);
      byValue.sort(KeyArbitraries::dynamoCompare);
      assertThat(byEncoding).containsExactlyElementsOf(byValue);
    }
  }

  // ---- round trip

  @Provide
  Arbitrary<AttributeValue> keyValues() {
    return KeyArbitraries.keyTypes().flatMap(KeyArbitraries::keys);
  }

  // Protects reading keys back from RocksDB: decode must return the exact (canonical) value.
  @Property(tries = 2000)
  void decodeInvertsEncodeAndConsumesExactlyOneComponent(@ForAll("keyValues") AttributeValue v) {
    byte[] encoded = KeyEncoding.encode(v);
    ByteBuffer in = ByteBuffer.allocate(encoded.length + 3);
    in.put((byte) 7).put(encoded).put((byte) 0xAB).put((byte) 0).flip();
    in.get();
    assertThat(KeyEncoding.decode(v.type(), in)).isEqualTo(v);
    assertThat(in.position()).isEqualTo(1 + encoded.length);
  }

  // ---- composite keys

  @Provide
  Arbitrary<Tuple4<AttributeValue, AttributeValue, AttributeValue, AttributeValue>> itemKeyPairs() {
    Arbitrary<Type> rangeTypes =
        Arbitraries.frequencyOf(
            Tuple.of(3, KeyArbitraries.keyTypes()), Tuple.of(1, Arbitraries.just((Type) null)));
    return Combinators.combine(KeyArbitraries.keyTypes(), rangeTypes)
        .flatAs(
            (ht, rt) -> {
              Arbitrary<Tuple2<AttributeValue, AttributeValue>> ranges =
                  rt == null ? Arbitraries.just(Tuple.of(null, null)) : KeyArbitraries.keyPairs(rt);
              Arbitrary<Tuple2<AttributeValue, AttributeValue>> hashes =
                  Arbitraries.frequencyOf(
                      Tuple.of(2, KeyArbitraries.keyPairs(ht)),
                      Tuple.of(1, KeyArbitraries.keys(ht).map(h -> Tuple.of(h, h))));
              return Combinators.combine(hashes, ranges)
                  .as((h, r) -> Tuple.of(h.get1(), r.get1(), h.get2(), r.get2()));
            });
  }

  // Protects composite keys: order is hash then range, and both components decode back.
  @Property(tries = 1000)
  void itemKeysSortByHashThenRangeAndRoundTrip(
      @ForAll("itemKeyPairs")
          Tuple4<AttributeValue, AttributeValue, AttributeValue, AttributeValue> p) {
    AttributeValue h1 = p.get1(), r1 = p.get2(), h2 = p.get3(), r2 = p.get4();
    byte[] k1 = KeyEncoding.itemKey(h1, r1);
    byte[] k2 = KeyEncoding.itemKey(h2, r2);
    int expected = dynamoCompare(h1, h2);
    if (expected == 0 && r1 != null) {
      expected = dynamoCompare(r1, r2);
    }
    assertThat(sign(Arrays.compareUnsigned(k1, k2))).isEqualTo(sign(expected));

    Type rangeType = r1 == null ? null : r1.type();
    AttributeValue[] decoded = KeyEncoding.decodeItemKey(k1, 0, h1.type(), rangeType);
    assertThat(decoded)
        .containsExactly(r1 == null ? new AttributeValue[] {h1} : new AttributeValue[] {h1, r1});
    byte[] framed = KeyArbitraries.concat(new byte[] {9, 9}, k2);
    assertThat(KeyEncoding.decodeItemKey(framed, 2, h2.type(), rangeType))
        .containsExactly(r2 == null ? new AttributeValue[] {h2} : new AttributeValue[] {h2, r2});
  }

  // Protects partition scans: a partition is exactly the keys between its prefix and successor.
  @Property(tries = 1000)
  void partitionIsContiguousRange(
      @ForAll("itemKeyPairs")
          Tuple4<AttributeValue, AttributeValue, AttributeValue, AttributeValue> p) {
    byte[] prefix = KeyEncoding.partitionPrefix(p.get1());
    byte[] upper = KeyEncoding.successor(prefix);
    byte[] other = KeyEncoding.itemKey(p.get3(), p.get4());
    boolean samePartition = dynamoCompare(p.get1(), p.get3()) == 0;
    boolean inRange =
        Arrays.compareUnsigned(other, prefix) >= 0
            && (upper == null || Arrays.compareUnsigned(other, upper) < 0);
    assertThat(KeyArbitraries.startsWith(other, prefix)).isEqualTo(samePartition);
    assertThat(inRange).isEqualTo(samePartition);
  }

  // ---- begins_with

  @Provide
  Arbitrary<Tuple2<AttributeValue, AttributeValue>> prefixCandidates() {
    return Arbitraries.oneOf(KeyArbitraries.keyPairs(Type.S), KeyArbitraries.keyPairs(Type.B));
  }

  // Protects begins_with on sort keys: the prefix seek must match exactly the values with p.
  @Property(tries = 3000)
  void encodedPrefixMatchesExactlyTheValuesStartingWithIt(
      @ForAll("prefixCandidates") Tuple2<AttributeValue, AttributeValue> pair) {
    AttributeValue p = pair.get1(), x = pair.get2();
    boolean startsWith =
        p instanceof AttributeValue.S ps
            ? ((AttributeValue.S) x).value().startsWith(ps.value())
            : ((AttributeValue.B) x).value().startsWith(((AttributeValue.B) p).value());
    assertThat(KeyArbitraries.startsWith(KeyEncoding.encode(x), KeyEncoding.encodePrefix(p)))
        .as("%s begins with %s", x, p)
        .isEqualTo(startsWith);
  }

  // ---- successor

  @Provide
  Arbitrary<Tuple2<byte[], byte[]>> successorCases() {
    return KeyArbitraries.bytePairs();
  }

  // Protects exclusive upper bounds: successor(p) bounds exactly the strings starting with p.
  @Property(tries = 2000)
  void successorIsTightUpperBoundOfPrefix(@ForAll("successorCases") Tuple2<byte[], byte[]> c) {
    byte[] prefix = c.get1(), t = c.get2();
    byte[] upper = KeyEncoding.successor(prefix);
    boolean inRange =
        Arrays.compareUnsigned(t, prefix) >= 0
            && (upper == null || Arrays.compareUnsigned(t, upper) < 0);
    assertThat(inRange).isEqualTo(KeyArbitraries.startsWith(t, prefix));
    if (upper != null) {
      assertThat(KeyArbitraries.startsWith(upper, prefix)).isFalse();
    }
  }

  // Protects the boundary cases of successor that random inputs rarely reach.
  @Test
  void successorExamples() {
    assertThat(KeyEncoding.successor(new byte[] {1, 2})).containsExactly(1, 3);
    assertThat(KeyEncoding.successor(new byte[] {1, (byte) 0xFF, (byte) 0xFF})).containsExactly(2);
    assertThat(KeyEncoding.successor(new byte[] {(byte) 0xFF, (byte) 0xFF})).isNull();
    assertThat(KeyEncoding.successor(new byte[] {})).isNull();
  }

  // ---- format stability

  // Protects the on-disk format: these bytes are persisted, so changing them needs a migration.
  @Test
  void goldenEncodings() {
    Map<AttributeValue, String> golden =
        Map.ofEntries(
            Map.entry(AttributeValue.n(0), "02"),
            Map.entry(AttributeValue.n(1), "03 82 14"),
            Map.entry(AttributeValue.n(-1), "01 7d eb"),
            Map.entry(AttributeValue.n("123.45"), "03 84 19 45 64"),
            Map.entry(AttributeValue.n("-123.45"), "01 7b e6 ba 9b"),
            Map.entry(AttributeValue.n("1E-130"), "03 00 14"),
            Map.entry(AttributeValue.s("a\0b"), "61 00 ff 62 00 01"),
            Map.entry(AttributeValue.s(""), "00 01"),
            Map.entry(AttributeValue.b(new byte[] {0, (byte) 0xFF}), "00 ff ff 00 01"));
    golden.forEach((v, hex) -> assertThat(hex(KeyEncoding.encode(v))).as("%s", v).isEqualTo(hex));
    assertThat(hex(KeyEncoding.encodePrefix(AttributeValue.s("a\0")))).isEqualTo("61 00 ff");
    assertThat(hex(KeyEncoding.itemKey(AttributeValue.s("u1"), AttributeValue.n(42))))
        .isEqualTo("75 31 00 01 03 83 54");
  }

  // ---- rejection

  // Protects against silently storing keys the format cannot represent faithfully.
  @Test
  void rejectsValuesOutsideTheKeyDomain() {
    for (AttributeValue v :
        List.of(
            new AttributeValue.Bool(true),
            new AttributeValue.Null(),
            new AttributeValue.SS(Set.of("a")),
            new AttributeValue.L(List.of()))) {
      assertThatThrownBy(() -> KeyEncoding.encode(v)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> KeyEncoding.encode(AttributeValue.n("1E+126")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyEncoding.encode(AttributeValue.n("1E-131")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> KeyEncoding.encode(new AttributeValue.N(new BigDecimal("1." + "1".repeat(38)))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyEncoding.encode(AttributeValue.s("a\ud800")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyEncoding.encodePrefix(AttributeValue.n(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyEncoding.decode(Type.M, ByteBuffer.wrap(new byte[] {0, 1})))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // Protects readers from corrupt keys: damage surfaces as IllegalArgumentException, not garbage.
  @Test
  void rejectsMalformedKeys() {
    List<Tuple2<Type, String>> bad =
        List.of(
            Tuple.of(Type.S, "61 62"), // no terminator
            Tuple.of(Type.S, "61 00"), // truncated terminator
            Tuple.of(Type.B, "00 02"), // unknown escape
            Tuple.of(Type.N, ""), // empty
            Tuple.of(Type.N, "04"), // unknown marker
            Tuple.of(Type.N, "03 82"), // no mantissa
            Tuple.of(Type.N, "03 82 15"), // mantissa never ends
            Tuple.of(Type.N, "03 82 02"), // leading zero digit
            Tuple.of(Type.N, "03 82 15 00"), // zero final pair
            Tuple.of(Type.N, "03 82 c8"), // pair above 99
            Tuple.of(Type.N, "03 82" + " 15".repeat(19) + " 14")); // more than 38 digits
    for (Tuple2<Type, String> c : bad) {
      byte[] raw = c.get2().isEmpty() ? new byte[0] : HexFormat.ofDelimiter(" ").parseHex(c.get2());
      assertThatThrownBy(() -> KeyEncoding.decode(c.get1(), ByteBuffer.wrap(raw)))
          .as(c.toString())
          .isInstanceOf(IllegalArgumentException.class);
    }
    byte[] key = KeyEncoding.itemKey(AttributeValue.s("a"), null);
    assertThatThrownBy(
            () ->
                KeyEncoding.decodeItemKey(
                    KeyArbitraries.concat(key, new byte[] {1}), 0, Type.S, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // Protects B keys from aliasing the caller's array: the decoded value must be independent.
  @Test
  void decodedBinaryDoesNotShareBuffer() {
    byte[] raw = {5, 6};
    byte[] enc = KeyEncoding.encode(AttributeValue.b(raw));
    AttributeValue.B decoded = (AttributeValue.B) KeyEncoding.decode(Type.B, ByteBuffer.wrap(enc));
    enc[0] = 9;
    assertThat(decoded.value()).isEqualTo(Bytes.copyOf(raw));
  }
}
