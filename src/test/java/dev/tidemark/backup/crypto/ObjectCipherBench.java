package dev.tidemark.backup.crypto;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Not part of the suite (its name matches no surefire pattern): a small in-process measurement of
 * object encryption and decryption throughput, format version 1 (hand-composed chunked AES-GCM, 64
 * KiB chunks, now read-only) against version 2 (Tink's streaming AEAD, 1 MiB and 64 KiB segments),
 * on backup-sized objects (1 MiB, TableChunks' target) and small ones (4 KiB, the size of a
 * manifest or a short PITR segment, where v2's per-object keyset costs most). Best of five rounds
 * after a warm-up, one thread. Run with {@code mvn -o -B test -Dtest=ObjectCipherBench}.
 */
class ObjectCipherBench {
  private static final SymmetricKey KEY = SymmetricKey.random();
  private static final String NAME = "tables/t1/data/bench";

  interface Codec {
    byte[] encrypt(byte[] plain) throws IOException;
  }

  @Test
  void throughput() throws IOException {
    for (int size : new int[] {1 << 20, 4096}) {
      byte[] plain = new byte[size];
      new Random(size).nextBytes(plain);
      long total = size == 4096 ? 16L << 20 : 128L << 20;
      report("v1 64KiB chunks", size, total, plain, p -> LegacyWriter.encrypt(KEY, NAME, p, 65536));
      report("v2 1MiB segments", size, total, plain, p -> v2(p, 1 << 20));
      report("v2 64KiB segments", size, total, plain, p -> v2(p, 65536));
    }
  }

  private static byte[] v2(byte[] plain, int segment) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length + 1024);
    EncryptingOutputStream enc = new EncryptingOutputStream(out, KEY, NAME, segment);
    enc.write(plain);
    enc.finish();
    return out.toByteArray();
  }

  private static void report(String label, int size, long total, byte[] plain, Codec codec)
      throws IOException {
    int objects = (int) (total / size);
    byte[] stored = codec.encrypt(plain);
    byte[] buf = new byte[64 * 1024];
    double bestEnc = 0;
    double bestDec = 0;
    for (int round = 0; round < 6; round++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < objects; i++) {
        stored = codec.encrypt(plain);
      }
      long t1 = System.nanoTime();
      for (int i = 0; i < objects; i++) {
        try (InputStream in =
            new DecryptingInputStream(new ByteArrayInputStream(stored), KEY, NAME)) {
          while (in.read(buf) >= 0) {
            // Reading to the end authenticates every segment.
          }
        }
      }
      long t2 = System.nanoTime();
      if (round > 0) {
        bestEnc = Math.max(bestEnc, total / 1048576.0 / ((t1 - t0) / 1e9));
        bestDec = Math.max(bestDec, total / 1048576.0 / ((t2 - t1) / 1e9));
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%-18s objects of %7d B: encrypt %7.1f MiB/s, decrypt %7.1f MiB/s, stored %d B (+%d)%n",
        label,
        size,
        bestEnc,
        bestDec,
        stored.length,
        stored.length - size);
  }
}
