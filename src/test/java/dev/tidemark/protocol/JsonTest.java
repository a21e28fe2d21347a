package dev.tidemark.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/**
 * The response writer: protects that its raw path for long plain strings writes byte for byte what
 * Jackson's own serialiser writes, whatever the text (quotes, backslashes, control and non-ASCII
 * characters at any position of an eight-byte word) and whatever the tree around it.
 */
class JsonTest {
  private static String ours(JsonNode n) {
    return new String(Json.write(n), StandardCharsets.UTF_8);
  }

  private static String jacksons(JsonNode n) throws Exception {
    return Json.MAPPER.writeValueAsString(n);
  }

  private static ObjectNode item(String s) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.putObject("Item").putObject("d").put("S", s);
    o.putArray("Items").addObject().put("n", 12.5).put("b", true).putNull("z");
    o.put("Count", 3);
    return o;
  }

  private static boolean naive(byte[] b) {
    for (byte x : b) {
      if (x < 0x20 || x == '"' || x == '\\' || x == 0x7F) {
        return false;
      }
    }
    return true;
  }

  @Property(tries = 300)
  void writesWhatJacksonWrites(
      @ForAll @StringLength(max = 200) @CharRange(from = 0, to = 0x7f) String ascii,
      @ForAll @StringLength(max = 3) String anything)
      throws Exception {
    ObjectNode tree = item(ascii + anything + ascii);
    assertThat(ours(tree)).isEqualTo(jacksons(tree));
  }

  @Property(tries = 500)
  void theWordCheckAgreesWithTheByteCheck(
      @ForAll @StringLength(max = 100) @CharRange(from = 0, to = 0xff) String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    assertThat(Json.needsNoEscaping(b)).isEqualTo(naive(b));
  }

  @Test
  void aSingleOffendingCharacterAnywhereIsEscaped() throws Exception {
    String base = "x".repeat(80);
    for (char bad : new char[] {'"', '\\', '\n', '\u0000', '\u001f', '\u007f', 'é', '\u20ac'}) {
      for (int at = 0; at < base.length(); at++) {
        ObjectNode tree = item(base.substring(0, at) + bad + base.substring(at + 1));
        assertThat(ours(tree)).as("char %d at %d", (int) bad, at).isEqualTo(jacksons(tree));
      }
    }
    assertThat(ours(item(base))).contains("\"S\":\"" + base + "\"");
  }
}
