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
    json.put("formatVersion", 2);
    assertThatThrownBy(() -> ManifestCodec.decode(mapper.writeValueAsBytes(json), "m/x"))
        .isInstanceOf(ManifestFormatException.class)
        .hasMessageContaining("m/x")
        .hasMessageContaining("format version 2");
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
