package dev.tidemark.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Protects the cold tier's compression ({@link ColdPacker#compress}, zstd): values that look random
 * (base64 of random bytes) still shrink by about a quarter and text-like values by far more, and
 * either object reads back entry for entry both through {@link TableChunks#read} and through {@link
 * TableChunks#inflated} (what a restore's read-ahead threads do); cold objects of the earlier zlib
 * format still read back both ways.
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

  static List<byte[][]> read(byte[] object) throws IOException {
    List<byte[][]> direct = new ArrayList<>();
    TableChunks.read(
        new ByteArrayInputStream(object),
        "cold-data-000001",
        (k, v) -> direct.add(new byte[][] {k, v}));
    List<byte[][]> inflated = new ArrayList<>();
    TableChunks.read(
        TableChunks.inflated(object, "cold-data-000001"),
        "cold-data-000001",
        (k, v) -> inflated.add(new byte[][] {k, v}));
    assertThat(inflated).containsExactlyElementsOf(direct);
    return direct;
  }

  static byte[] compressed(ColdPacker.Entries e) throws IOException {
    try (InputStream in = ColdPacker.compress(e).open()) {
      return in.readAllBytes();
    }
  }

  @Test
  void randomLookingValuesShrinkAndReadBackExactly() throws IOException {
    List<byte[][]> kv = items(200, true);
    ColdPacker.Entries e = entries(kv);
    byte[] object = compressed(e);
    assertThat(object[1]).isEqualTo((byte) TableChunks.ZSTD_FORMAT);
    // Base64 carries 6 bits a byte: entropy coding alone saves about a quarter.
    assertThat(object.length).isLessThan((int) (e.size() * 8L / 10));
    assertThat(read(object)).containsExactlyElementsOf(kv);
  }

  @Test
  void textLikeValuesShrinkFarMoreAndReadBackExactly() throws IOException {
    List<byte[][]> kv = items(200, false);
    ColdPacker.Entries e = entries(kv);
    byte[] object = compressed(e);
    assertThat(object.length).isLessThan(e.size() / 10);
    assertThat(read(object)).containsExactlyElementsOf(kv);
  }

  @Test
  void coldObjectsOfTheZlibFormatStillReadBack() throws IOException {
    List<byte[][]> kv = items(50, false);
    ColdPacker.Entries e = entries(kv);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(TableChunks.COMPRESSED_MAGIC);
    out.write(1);
    try (DeflaterOutputStream z = new DeflaterOutputStream(out)) {
      z.write(e.array(), 0, e.size());
    }
    assertThat(read(out.toByteArray())).containsExactlyElementsOf(kv);
  }

  @Test
  void aDamagedZstdFrameIsRefusedWithItsName() throws IOException {
    byte[] object = compressed(entries(items(20, false)));
    byte[] cut = Arrays.copyOf(object, object.length / 2);
    assertThatThrownBy(() -> TableChunks.inflated(cut, "cold-data-000007"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cold-data-000007");
  }
}
