package dev.tidemark.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UnicodeTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  // The prefilter may skip the tree walk only for bodies that cannot decode to a surrogate. Every
  // way JSON can spell one must keep the walk: an escape, and raw UTF-8 of a surrogate, which
  // Jackson decodes without complaint (the walk is then what refuses it).
  @Test
  void everyWayToSpellASurrogateKeepsTheWalk() throws Exception {
    byte[] escaped = "{\"A\":\"x\\uD83D\"}".getBytes(StandardCharsets.US_ASCII);
    byte[] rawUtf8 = {
      '{', '"', 'A', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0xBD, '"', '}'
    };
    for (byte[] body : new byte[][] {escaped, rawUtf8}) {
      assertThat(Unicode.maySpellSurrogates(body)).isTrue();
      assertThat(Unicode.firstIllFormed(JSON.readTree(body))).isNotNull();
    }
  }

  // Jackson also reads UTF-16 and UTF-32 bodies, whose surrogates are not UTF-8 bytes; such a body
  // always has a zero byte (its '{'), which keeps the walk.
  @Test
  void wideEncodingsKeepTheWalk() throws Exception {
    for (java.nio.charset.Charset wide :
        new java.nio.charset.Charset[] {
          StandardCharsets.UTF_16BE,
          StandardCharsets.UTF_16LE,
          java.nio.charset.Charset.forName("UTF-32")
        }) {
      byte[] body = "{\"A\":\"\uD83D\uDE00\"}".getBytes(wide);
      assertThat(JSON.readTree(body).get("A").asText()).isEqualTo("\uD83D\uDE00");
      assertThat(Unicode.maySpellSurrogates(body)).as(wide.name()).isTrue();
    }
  }

  // The common request (ASCII names and values, base64 binaries) skips the walk.
  @Test
  void plainAsciiBodiesSkipTheWalk() {
    byte[] body =
        "{\"TableName\":\"t\",\"Item\":{\"pk\":{\"S\":\"k-1\"},\"b\":{\"B\":\"AAEC/w==\"}}}"
            .getBytes(StandardCharsets.US_ASCII);
    assertThat(Unicode.maySpellSurrogates(body)).isFalse();
    assertThat(Unicode.maySpellSurrogates("{\"a\":\"\u00e9\"}".getBytes(StandardCharsets.UTF_8)))
        .isTrue();
  }

  @Test
  void pairsAreWellFormedAndLoneHalvesAreNot() {
    assertThat(Unicode.unpairedSurrogateAt("a\uD83D\uDE00b")).isEqualTo(-1);
    assertThat(Unicode.unpairedSurrogateAt("a\uDE00\uD83D")).isEqualTo(1);
    assertThat(Unicode.unpairedSurrogateAt("ab\uD83D")).isEqualTo(2);
  }
}
