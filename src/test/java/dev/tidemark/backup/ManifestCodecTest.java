package dev.tidemark.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.backup.crypto.KeyWrap;
import dev.tidemark.backup.crypto.SymmetricKey;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestCodecTest {
  private static final String SHA = "ab".repeat(32);

  private static Manifest sample() {
    return new Manifest(
        1,
        "01576616366715-b4e58d3a",
        Fixtures.metadata("t-1", "01576616366715-b4e58d3a"),
        KeyWrap.wrap(SymmetricKey.random(), SymmetricKey.random(), "table:t-1"),
        List.of(
            new DataObjectRef("tables/t-1/data/aa", "items", 10, 84, SHA),
            new DataObjectRef("tables/t-1/data/bb", "", 0, 74, SHA)));
  }

  // Every field, including the caller's opaque schema, survives encode/decode.
  @Test
  void roundTrip() throws IOException {
    Manifest m = sample();
    assertThat(ManifestCodec.decode(ManifestCodec.encode(m), "n")).isEqualTo(m);
  }

  // A manifest from a newer server is refused with a message, not misread.
  @Test
  void refusesNewerFormatVersion() throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode json = (ObjectNode) mapper.readTree(ManifestCodec.encode(sample()));
    json.put("formatVersion", 3);
    assertThatThrownBy(() -> ManifestCodec.decode(mapper.writeValueAsBytes(json), "m/x"))
        .isInstanceOf(ManifestFormatException.class)
        .hasMessageContaining("m/x")
        .hasMessageContaining("format version 3");
  }

  private static Manifest incremental() {
    Manifest full = sample();
    return new Manifest(
        2,
        "01576616999999-0000abcd",
        Fixtures.metadata("t-1", "01576616999999-0000abcd"),
        full.dataKey(),
        List.of(
            full.objects().get(0),
            full.objects().get(1),
            new DataObjectRef("tables/t-1/data/cc", "delta-001-000001", 5, 79, SHA),
            new DataObjectRef("tables/t-1/data/dd", "delta-002-000001", 7, 81, SHA)),
        new Manifest.Incremental(
            "01576616366715-b4e58d3a",
            new LogPosition(42, 1_700_000_000_000L),
            3,
            300,
            full.metadata().tableSchema(),
            2,
            List.of(
                new Manifest.Layer("01576616500000-00000001", 42, 50, 1),
                new Manifest.Layer("01576616999999-0000abcd", 50, 61, 1))));
  }

  // An incremental manifest (format 2) keeps its base, its layers and their object counts.
  @Test
  void incrementalRoundTrip() throws IOException {
    Manifest m = incremental();
    Manifest back = ManifestCodec.decode(ManifestCodec.encode(m), "n");
    assertThat(back).isEqualTo(m);
    assertThat(back.baseObjects()).hasSize(2);
    assertThat(back.deltaObjects())
        .extracting(DataObjectRef::name)
        .containsExactly("tables/t-1/data/cc", "tables/t-1/data/dd");
  }

  // A format 2 manifest must say how its objects combine; layers must chain and count them all.
  @Test
  void refusesIncompleteIncrementalManifests() throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode json = (ObjectNode) mapper.readTree(ManifestCodec.encode(incremental()));
    ObjectNode noSection = json.deepCopy();
    noSection.remove("incremental");
    assertThatThrownBy(() -> ManifestCodec.decode(mapper.writeValueAsBytes(noSection), "m/x"))
        .isInstanceOf(ManifestFormatException.class)
        .hasMessageContaining("missing field incremental");
    ObjectNode gap = json.deepCopy();
    ((ObjectNode) gap.path("incremental").path("layers").get(1)).put("afterSeq", 51);
    assertThatThrownBy(() -> ManifestCodec.decode(mapper.writeValueAsBytes(gap), "m/x"))
        .isInstanceOf(ManifestFormatException.class)
        .hasMessageContaining("layers must follow each other");
    ObjectNode miscount = json.deepCopy();
    ((ObjectNode) miscount.path("incremental")).put("baseObjects", 1);
    assertThatThrownBy(() -> ManifestCodec.decode(mapper.writeValueAsBytes(miscount), "m/x"))
        .isInstanceOf(ManifestFormatException.class)
        .hasMessageContaining("hold 3 objects, but it lists 4");
  }

  // Stores written by earlier versions stay readable: a format 1 manifest exactly as those
  // versions wrote it (text frozen here) decodes to a full backup.
  @Test
  void readsFormatOneAsWrittenByEarlierVersions() throws IOException {
    String v1 =
        "{\"formatVersion\":1,\"backupId\":\"01576616366715-b4e58d3a\","
            + "\"backupArn\":\"arn:aws:dynamodb:us-east-1:000000000000:table/Music/backup/"
            + "01576616366715-b4e58d3a\",\"backupName\":\"nightly\",\"backupType\":\"USER\","
            + "\"creationTimeMillis\":1700000000500,\"tableName\":\"Music\",\"tableId\":\"t-1\","
            + "\"tableArn\":\"arn:aws:dynamodb:us-east-1:000000000000:table/Music\","
            + "\"tableSchema\":{\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
            + "\"BillingMode\":\"PAY_PER_REQUEST\"},"
            + "\"position\":{\"seq\":42,\"commitTimeMillis\":1700000000000},"
            + "\"itemCount\":3,\"sizeBytes\":300,"
            + "\"dataKey\":{\"wrappingKeyId\":\"0123456789abcdef\",\"keyId\":\"fedcba9876543210\","
            + "\"ciphertext\":\""
            + java.util.Base64.getEncoder().encodeToString(new byte[60])
            + "\"},"
            + "\"objects\":[{\"name\":\"tables/t-1/data/aa\",\"label\":\"table-data-000001\","
            + "\"plaintextSize\":10,\"storedSize\":84,\"sha256\":\""
            + SHA
            + "\"}]}";
    Manifest m =
        ManifestCodec.decode(
            v1.getBytes(java.nio.charset.StandardCharsets.UTF_8),
            "manifests/t-1/01576616366715-b4e58d3a");
    assertThat(m.formatVersion()).isEqualTo(1);
    assertThat(m.incremental()).isNull();
    assertThat(m.baseObjects())
        .extracting(DataObjectRef::name)
        .containsExactly("tables/t-1/data/aa");
    assertThat(m.deltaObjects()).isEmpty();
    assertThat(m.metadata()).isEqualTo(Fixtures.metadata("t-1", "01576616366715-b4e58d3a"));
  }

  // Optional fields added later are ignored by this reader; missing required ones are named.
  @Test
  void ignoresUnknownFieldsAndNamesMissingOnes() throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    Manifest m = sample();
    ObjectNode json = (ObjectNode) mapper.readTree(ManifestCodec.encode(m));
    json.put("someFutureField", true);
    assertThat(ManifestCodec.decode(mapper.writeValueAsBytes(json), "n")).isEqualTo(m);
    json.remove("tableArn");
    assertThatThrownBy(() -> ManifestCodec.decode(mapper.writeValueAsBytes(json), "m/x"))
        .isInstanceOf(ManifestFormatException.class)
        .hasMessageContaining("missing field tableArn");
  }
}
