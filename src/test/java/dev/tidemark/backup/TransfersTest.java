package dev.tidemark.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The read-ahead that restores and PITR replays use: objects arrive in input order whatever order
 * their fetches finish in, no more than the window run at once, and a failed fetch is the reader's
 * error at that object.
 */
class TransfersTest {

  // Protects restore order and the memory bound: 30 fetches finishing out of order are read back in
  // input order, with at most 4 running at a time.
  @Test
  void prefetchKeepsOrderWithinTheWindow() throws IOException {
    List<Integer> inputs = IntStream.range(0, 30).boxed().toList();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    List<Integer> read = new ArrayList<>();
    try (Transfers.Prefetch<Integer> p =
        Transfers.prefetch(
            inputs,
            4,
            i -> {
              most.accumulateAndGet(running.incrementAndGet(), Math::max);
              try {
                Thread.sleep((i * 7) % 5);
              } catch (InterruptedException e) {
                throw new IOException(e);
              }
              running.decrementAndGet();
              return i * 10;
            })) {
      while (p.hasNext()) {
        read.add(p.next());
      }
    }
    assertThat(read).isEqualTo(inputs.stream().map(i -> i * 10).toList());
    assertThat(most.get()).isBetween(1, 4);
  }

  // Protects restores from silently skipping an object: the failure of fetch 5 is thrown when
  // object 5 is read, after objects 0 to 4 were delivered, and nothing after it is delivered.
  @Test
  void aFailedFetchIsTheReadersError() throws IOException {
    Set<Integer> fetched = ConcurrentHashMap.newKeySet();
    List<Integer> read = new ArrayList<>();
    try (Transfers.Prefetch<Integer> p =
        Transfers.prefetch(
            IntStream.range(0, 20).boxed().toList(),
            3,
            i -> {
              fetched.add(i);
              if (i == 5) {
                throw new IOException("object 5 is corrupt");
              }
              return i;
            })) {
      for (int i = 0; i < 5; i++) {
        read.add(p.next());
      }
      assertThatThrownBy(p::next).isInstanceOf(IOException.class).hasMessage("object 5 is corrupt");
      assertThat(p.hasNext()).isFalse();
    }
    assertThat(read).containsExactly(0, 1, 2, 3, 4);
    assertThat(fetched).allMatch(i -> i <= 5 + 3);
  }
}
