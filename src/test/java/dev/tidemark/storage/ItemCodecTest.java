package dev.tidemark.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.model.AttributeValue;
import dev.tidemark.model.Bytes;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

class ItemCodecTest {

  // ---- generators

  /** Numbers beyond DynamoDB's limits too: the codec stores any BigDecimal faithfully. */
  private static Arbitrary<BigDecimal> anyNumbers() {
    Arbitrary<BigDecimal> wide =
        net.jqwik.api.Combinators.combine(
                Arbitraries.bigIntegers()
                    .between(BigInteger.TEN.pow(60).negate(), BigInteger.TEN.pow(60)),
                Arbitraries.integers().between(-400, 400))
            .as(BigDecimal::new);
    Arbitrary<BigDecimal> longEdges =
        Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, -1L, 63L, 64L)
            .map(BigDecimal::valueOf);
    return Arbitraries.frequencyOf(
        Tuple.of(4, KeyArbitraries.numbers()), Tuple.of(1, wide), Tuple.of(1, longEdges));
  }

  private static Arbitrary<String> names() {
    return KeyArbitraries.strings();
  }

  private static Arbitrary<AttributeValue> scalars() {
    return Arbitraries.oneOf(
        KeyArbitraries.strings().map(AttributeValue.S::new),
        anyNumbers().map(AttributeValue.N::new),
        KeyArbitraries.byteArrays().map(AttributeValue::b),
        KeyArbitraries.strings().set().ofMinSize(1).ofMaxSize(4).map(AttributeValue.SS::new),
        anyNumbers().set().ofMinSize(1).ofMaxSize(4).map(AttributeValue.NS::new),
        KeyArbitraries.byteArrays()
            .map(Bytes::copyOf)
            .set()
            .ofMinSize(1)
            .ofMaxSize(4)
            .map(AttributeValue.BS::new),
        Arbitraries.just(new AttributeValue.Null()),
        Arbitraries.of(true, false).map(AttributeValue.Bool::new));
  }

  private static Arbitrary<AttributeValue> values() {
    return Arbitraries.recursive(
        ItemCodecTest::scalars,
        inner ->
            Arbitraries.oneOf(
                scalars(),
                Arbitraries.maps(names(), inner).ofMaxSize(4).map(AttributeValue.M::new),
                inner.list().ofMaxSize(4).map(AttributeValue.L::new)),
        0,
        3);
  }

  @Provide
  Arbitrary<Map<String, AttributeValue>> items() {
    // Linked so the generated order is the order the item is written in.
    return Arbitraries.maps(names(), values()).ofMaxSize(8).map(LinkedHashMap::new);
  }

  @Provide
  Arbitrary<AttributeValue> anyValues() {
    return values();
  }

  // ---- helpers

  /** Equality plus identical iteration order of every map and set, at every depth. */
  private static void assertSameInOrder(AttributeValue expected, AttributeValue actual) {
    assertThat(actual).isEqualTo(expected);
    if (expected instanceof AttributeValue.M m) {
      assertSameInOrder(m.values(), ((AttributeValue.M) actual).values());
    } else if (expected instanceof AttributeValue.L l) {
      List<AttributeValue> got = ((AttributeValue.L) actual).values();
      for (int i = 0; i < l.values().size(); i++) {
        assertSameInOrder(l.values().get(i), got.get(i));
      }
    } else if (expected instanceof AttributeValue.SS s) {
      assertThat(((AttributeValue.SS) actual).values()).containsExactlyElementsOf(s.values());
    } else if (expected instanceof AttributeValue.NS s) {
      assertThat(((AttributeValue.NS) actual).values()).containsExactlyElementsOf(s.values());
    } else if (expected instanceof AttributeValue.BS s) {
      assertThat(((AttributeValue.BS) actual).values()).containsExactlyElementsOf(s.values());
    }
  }

  private static void assertSameInOrder(
      Map<String, AttributeValue> expected, Map<String, AttributeValue> actual) {
    assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
    expected.forEach((k, v) -> assertSameInOrder(v, actual.get(k)));
  }

  // ---- properties

  // Protects stored items: every type and nesting decodes to an equal item in the same order.
  @Property(tries = 300)
  void itemRoundTripsWithOrder(@ForAll("items") Map<String, AttributeValue> item) {
    byte[] encoded = ItemCodec.encode(item);
    Map<String, AttributeValue> decoded = ItemCodec.decode(encoded);
    assertSameInOrder(item, decoded);
    assertThat(ItemCodec.encode(decoded)).isEqualTo(encoded);
  }

  // Protects standalone values (e.g. projected or index attributes) the same way.
  @Property(tries = 500)
  void valueRoundTrips(@ForAll("anyValues") AttributeValue v) {
    assertSameInOrder(v, ItemCodec.decodeValue(ItemCodec.encodeValue(v)));
  }

  // Protects against torn or truncated values being read as a smaller, valid item.
  @Property(tries = 100)
  void everyTruncationIsRejected(@ForAll("items") Map<String, AttributeValue> item) {
    byte[] encoded = ItemCodec.encode(item);
    for (int n = 0; n < encoded.length; n++) {
      byte[] cut = Arrays.copyOf(encoded, n);
      assertThatThrownBy(() -> ItemCodec.decode(cut))
          .as("prefix of length %d", n)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  // ---- examples

  // Protects the on-disk format: these bytes are persisted, so changing them needs a new version.
  @Test
  void goldenEncoding() {
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    item.put("pk", AttributeValue.s("u1"));
    item.put("n", AttributeValue.n("-1.5"));
    item.put("ok", new AttributeValue.Bool(true));
    item.put("tags", new AttributeValue.L(List.of(new AttributeValue.Null())));
    assertThat(HexFormat.ofDelimiter(" ").formatHex(ItemCodec.encode(item)))
        .isEqualTo(
            "01 04"
                + " 02 70 6b 01 02 75 31"
                + " 01 6e 02 04 1d"
                + " 02 6f 6b 0b"
                + " 04 74 61 67 73 08 01 09");
  }

  // Protects numbers on both sides of the long / BigInteger boundary and extreme scales.
  @Test
  void numbersAcrossRepresentationBoundaries() {
    List<BigDecimal> numbers =
        List.of(
            new BigDecimal(BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.ONE), 3),
            new BigDecimal(BigInteger.valueOf(Long.MIN_VALUE).subtract(BigInteger.ONE), -3),
            new BigDecimal(BigInteger.valueOf(Long.MIN_VALUE), Integer.MAX_VALUE),
            new BigDecimal(BigInteger.ONE, Integer.MIN_VALUE),
            new BigDecimal("1E-130"),
            new BigDecimal("-9.9999999999999999999999999999999999999E+125"),
            BigDecimal.ZERO);
    for (BigDecimal n : numbers) {
      AttributeValue v = new AttributeValue.N(n);
      assertThat(ItemCodec.decodeValue(ItemCodec.encodeValue(v))).as("%s", n).isEqualTo(v);
    }
  }

  // Protects nested document order and empty containers, which DynamoDB allows.
  @Test
  void emptyContainersAndEmptyItem() {
    assertThat(ItemCodec.decode(ItemCodec.encode(Map.of()))).isEmpty();
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    item.put("m", new AttributeValue.M(Map.of()));
    item.put("l", new AttributeValue.L(List.of()));
    item.put("e", AttributeValue.s(""));
    assertSameInOrder(item, ItemCodec.decode(ItemCodec.encode(item)));
  }

  // Protects version dispatch and corruption detection: bad input fails loudly, never silently.
  @Test
  void rejectsUnknownFormatAndDamage() {
    byte[] good = ItemCodec.encode(Map.of("a", AttributeValue.n(1)));
    byte[] wrongVersion = good.clone();
    wrongVersion[0] = 0x02;
    byte[] trailing = KeyArbitraries.concat(good, new byte[] {0});
    List<byte[]> bad =
        List.of(
            new byte[0],
            wrongVersion,
            trailing,
            new byte[] {1, 1, 1, 'a', 0x7F}, // unknown tag
            new byte[] {1, 1, 1, 'a', 0x04, 0}, // empty string set
            new byte[] {1, 1, 1, 'a', 0x04, 2, 1, 'x', 1, 'x'}, // duplicate set element
            new byte[] {1, 2, 1, 'a', 0x09, 1, 'a', 0x09}, // duplicate attribute name
            new byte[] {1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}); // huge count
    for (byte[] b : bad) {
      assertThatThrownBy(() -> ItemCodec.decode(b))
          .as(HexFormat.of().formatHex(b))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> ItemCodec.encode(Map.of("a", AttributeValue.s("\udc00"))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // Protects callers that update decoded items in place (UpdateItem): the map must be mutable.
  @Test
  void decodedItemIsMutable() {
    Map<String, AttributeValue> decoded = ItemCodec.decode(ItemCodec.encode(Map.of()));
    decoded.put("x", new AttributeValue.Null());
    assertThat(decoded).containsOnlyKeys("x");
  }

  // Protects set order, which DynamoDB echoes back as written.
  @Test
  void setsKeepInsertionOrder() {
    Set<String> ordered = new LinkedHashSet<>(List.of("z", "a", "m"));
    AttributeValue.SS ss =
        (AttributeValue.SS)
            ItemCodec.decodeValue(ItemCodec.encodeValue(new AttributeValue.SS(ordered)));
    assertThat(new ArrayList<>(ss.values())).containsExactly("z", "a", "m");
    assertThat(ss.values().stream().collect(Collectors.joining())).isEqualTo("zam");
  }
}
