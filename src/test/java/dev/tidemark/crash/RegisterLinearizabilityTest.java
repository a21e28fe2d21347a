package dev.tidemark.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.crash.RegisterLinearizability.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Protects the checker that StrongConsistencyIT relies on: it accepts histories that are
 * linearizable (including ones where concurrency allows a surprising order) and rejects the classic
 * violations (a stale read after a completed write, a read of a value never written, two readers
 * seeing two writes in opposite orders), so a passing MRSC run means something.
 */
class RegisterLinearizabilityTest {
  private static Op w(String c, long call, long ret, String v) {
    return new Op(c, call, ret, true, v);
  }

  private static Op r(String c, long call, long ret, String v) {
    return new Op(c, call, ret, false, v);
  }

  @Test
  void acceptsSequentialAndConcurrentOrders() {
    assertThat(RegisterLinearizability.check(List.of(r("a", 0, 1, null)), null)).isTrue();
    assertThat(
            RegisterLinearizability.check(
                List.of(w("a", 0, 1, "1"), r("b", 2, 3, "1"), w("a", 4, 5, "2"), r("b", 6, 7, "2")),
                null))
        .isTrue();
    // The read overlaps both writes, so it may see either (here: the one invoked second, first).
    assertThat(
            RegisterLinearizability.check(
                List.of(w("a", 0, 10, "1"), w("b", 1, 10, "2"), r("c", 2, 11, "1")), null))
        .isTrue();
    // A read concurrent with a write may still see the old value.
    assertThat(RegisterLinearizability.check(List.of(w("a", 0, 10, "1"), r("b", 5, 6, null)), null))
        .isTrue();
  }

  @Test
  void rejectsStaleUnknownAndDisagreeingReads() {
    // Stale: the write completed before the read was invoked.
    assertThat(RegisterLinearizability.check(List.of(w("a", 0, 1, "1"), r("b", 2, 3, null)), null))
        .isFalse();
    // A value nobody wrote.
    assertThat(RegisterLinearizability.check(List.of(r("a", 0, 1, "9")), null)).isFalse();
    // Two concurrent writes; one reader sees 1 then 2, the other 2 then 1, after both ended.
    assertThat(
            RegisterLinearizability.check(
                List.of(
                    w("a", 0, 5, "1"),
                    w("b", 0, 5, "2"),
                    r("c", 6, 7, "1"),
                    r("d", 6, 7, "2"),
                    r("c", 8, 9, "2"),
                    r("d", 8, 9, "1")),
                null))
        .isFalse();
  }

  @Test
  void decidesALargerSequentialHistoryAndItsOneStaleMutation() {
    // 400 operations from 8 clients in overlapping windows, generated from a real register, then
    // one read made stale: the first is accepted, the second rejected, both quickly.
    Random random = new Random(42);
    List<Op> ops = new ArrayList<>();
    String value = null;
    long t = 0;
    for (int i = 0; i < 400; i++) {
      long call = t;
      long ret = t + 1 + random.nextInt(3);
      if (random.nextBoolean()) {
        value = "v" + i;
        ops.add(w("c" + (i % 8), call, ret, value));
      } else {
        ops.add(r("c" + (i % 8), call, ret, value));
      }
      t += 2;
    }
    assertThat(RegisterLinearizability.check(ops, null)).isTrue();
    int lastRead = -1;
    for (int i = ops.size() - 1; i >= 0 && lastRead < 0; i--) {
      if (!ops.get(i).write() && ops.get(i).value() != null) {
        lastRead = i;
      }
    }
    Op read = ops.get(lastRead);
    ops.set(lastRead, r(read.client(), read.call() + 10_000, read.ret() + 10_000, null));
    assertThat(RegisterLinearizability.check(ops, null)).isFalse();
  }
}
