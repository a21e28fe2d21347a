package dev.tidemark.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/**
 * Protects the cold tier's choice of compression per object ({@link ColdPacker#compress}): values
 * that look random (base64 of random bytes) are Huffman-coded only, which is what makes the cold
 * transition fast enough on such tables, text-like values keep deflate's matching, which is what
 * makes the cold copy dense; and either object reads back entry for entry through {@link
 * TableChunks#read}, the reader every restore from COLD uses.
 */
class ColdPackerCompressionTest {
  /** Entries as the packer writes them: varint key length, key, varint value length, value. */
  static ColdPacker.Entries entries(List<byte[][]> kv) throws IOException {
    ColdPacker.Entries e = new ColdPacker.Entries();
    for (byte[][] p : kv) {
      TableChunks.writeVarint(e, p[0].length);
      e.write(p[0]);
      TableChunks.writeVarint(e, p[1].length);
      e.write(p[1]);
    }
    return e;
  }

  static List<byte[][]> items(int n, boolean random) {
    Random r = new Random(7);
    List<byte[][]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] key = String.format("\u0001k%09d", i).getBytes(StandardCharsets.UTF_8);
      String value;
      if (random) {
        byte[] noise = new byte[3000];
        r.nextBytes(noise);
        value = Base64.getEncoder().encodeToString(noise);
      } else {
        value = ("order " + i + ", status shipped, warehouse north, carrier ground; ").repeat(50);
      }
      out.add(new byte[][] {key, value.getBytes(StandardCharsets.UTF_8)});
    }
    return out;
  }

  static List<byte[][]> readBack(ColdPacker.Entries e) throws IOException {
    List<byte[][]> got = new ArrayList<>();
    try (InputStream in = ColdPacker.compress(e).open()) {
      TableChunks.read(in, "cold-data-000001", (k, v) -> got.add(new byte[][] {k, v}));
    }
    return got;
  }

  static long compressedSize(ColdPacker.Entries e) throws IOException {
    try (InputStream in = ColdPacker.compress(e).open()) {
      return in.readAllBytes().length;
    }
  }

  @Test
  void randomLookingValuesAreHuffmanCodedAndReadBackExactly() throws IOException {
    List<byte[][]> kv = items(200, true);
    ColdPacker.Entries e = entries(kv);
    assertThat(ColdPacker.strategy(e.array(), e.size())).isEqualTo(Deflater.HUFFMAN_ONLY);
    // Base64 carries 6 bits a byte: Huffman coding alone still saves about a quarter.
    assertThat(compressedSize(e)).isLessThan(e.size() * 8L / 10);
    assertThat(readBack(e)).containsExactlyElementsOf(kv);
  }

  @Test
  void textLikeValuesKeepMatchingAndReadBackExactly() throws IOException {
    List<byte[][]> kv = items(200, false);
    ColdPacker.Entries e = entries(kv);
    assertThat(ColdPacker.strategy(e.array(), e.size())).isEqualTo(Deflater.DEFAULT_STRATEGY);
    // Huffman coding alone could not go below about half for text; matching does far better.
    assertThat(compressedSize(e)).isLessThan(e.size() / 10L);
    assertThat(readBack(e)).containsExactlyElementsOf(kv);
  }
}
