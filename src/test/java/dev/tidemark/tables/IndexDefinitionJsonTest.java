package dev.tidemark.tables;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tidemark.model.AttributeValue;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The catalog's JSON for index definitions, old and new. */
class IndexDefinitionJsonTest {
  private static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules().build();

  // Protects reading catalogs written before indexes had numbers and states.
  @Test
  void definitionsWithoutNumberOrStatusStillRead() throws Exception {
    String old =
        "{\"name\":\"by_x\",\"global\":true,\"keySchema\":{\"hashName\":\"x\",\"hashType\":\"S\","
            + "\"rangeName\":null,\"rangeType\":null},\"projectionType\":\"ALL\","
            + "\"nonKeyAttributes\":[],\"throughput\":{\"readCapacityUnits\":0,"
            + "\"writeCapacityUnits\":0}}";
    IndexDefinition d = JSON.readValue(old, IndexDefinition.class);
    assertThat(d.number()).isZero();
    assertThat(d.status()).isEqualTo(IndexDefinition.ACTIVE);
    assertThat(d.keySchema().hashType()).isEqualTo(AttributeValue.Type.S);
  }

  // Protects the round trip of the fields the index data depends on.
  @Test
  void numberAndStatusRoundTrip() throws Exception {
    IndexDefinition d =
        new IndexDefinition(
                "by_x",
                true,
                new KeySchema("x", AttributeValue.Type.S, null, null),
                "INCLUDE",
                List.of("a"),
                null)
            .withNumber(7)
            .withStatus(IndexDefinition.CREATING);
    assertThat(JSON.readValue(JSON.writeValueAsBytes(d), IndexDefinition.class)).isEqualTo(d);
  }

  // Protects stable numbering (existing stay, new take the lowest free) and its JSON round trip.
  @Test
  void numbersAreAssignedOnceAndReused() throws Exception {
    KeySchema k = new KeySchema("x", AttributeValue.Type.S, null, null);
    IndexDefinition a = new IndexDefinition("a", true, k, "ALL", List.of(), null).withNumber(3);
    IndexDefinition b = new IndexDefinition("b", true, k, "ALL", List.of(), null);
    IndexDefinition c = new IndexDefinition("c", true, k, "ALL", List.of(), null);
    TableDefinition t =
        new TableDefinition(
                "t",
                1,
                "id",
                0,
                new KeySchema("pk", AttributeValue.Type.S, null, null),
                java.util.Map.of("pk", AttributeValue.Type.S, "x", AttributeValue.Type.S),
                TableDefinition.PAY_PER_REQUEST,
                null,
                List.of(),
                List.of(a, b, c),
                null,
                null,
                null,
                null,
                null,
                false,
                0)
            .withIndexNumbers();
    assertThat(t.globalIndexes()).extracting(IndexDefinition::number).containsExactly(3, 2, 4);
    assertThat(JSON.readValue(JSON.writeValueAsBytes(t), TableDefinition.class)).isEqualTo(t);
  }

  // Protects the catalog (and every backup, which embeds it) across multi-attribute keys: a
  // single-attribute key is written exactly as before, a multi-attribute key round-trips with its
  // parts in order, and a catalog from before multi-attribute keys reads as a single-attribute key.
  @Test
  void multiAttributeKeysRoundTripAndSingleKeysKeepTheirJson() throws Exception {
    KeySchema single = new KeySchema("x", AttributeValue.Type.S, "y", AttributeValue.Type.N);
    assertThat(JSON.writeValueAsString(single))
        .isEqualTo(
            "{\"hashName\":\"x\",\"hashType\":\"S\",\"rangeName\":\"y\",\"rangeType\":\"N\"}");
    KeySchema multi =
        KeySchema.of(
            List.of(
                new KeySchema.Part("h1", AttributeValue.Type.S),
                new KeySchema.Part("h2", AttributeValue.Type.N)),
            List.of(
                new KeySchema.Part("r1", AttributeValue.Type.B),
                new KeySchema.Part("r2", AttributeValue.Type.S),
                new KeySchema.Part("r3", AttributeValue.Type.N)));
    IndexDefinition d =
        new IndexDefinition("m", true, multi, "KEYS_ONLY", List.of(), null).withNumber(4);
    IndexDefinition back = JSON.readValue(JSON.writeValueAsBytes(d), IndexDefinition.class);
    assertThat(back).isEqualTo(d);
    assertThat(back.keySchema().hashParts())
        .extracting(KeySchema.Part::name)
        .containsExactly("h1", "h2");
    assertThat(back.keySchema().rangeParts())
        .extracting(KeySchema.Part::name)
        .containsExactly("r1", "r2", "r3");
    assertThat(back.keySchema().composite()).isTrue();
    KeySchema old =
        JSON.readValue(
            "{\"hashName\":\"x\",\"hashType\":\"S\",\"rangeName\":null,\"rangeType\":null}",
            KeySchema.class);
    assertThat(old).isEqualTo(new KeySchema("x", AttributeValue.Type.S, null, null));
    assertThat(old.composite()).isFalse();
  }
}
