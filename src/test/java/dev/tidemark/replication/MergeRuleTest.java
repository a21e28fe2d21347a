package dev.tidemark.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.changelog.ItemStamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded property tests of the replication merge rule ({@link ItemStamp#supersedes} with {@link
 * ItemStamp#next}): whatever the delivery order, duplicates and delays, and whatever the regions'
 * clock skew, every region ends with the same items, and each item is the version with the highest
 * stamp ever written. Negative controls prove the checker catches a wrong rule (arrival order wins)
 * and a rule without tombstones.
 */
class MergeRuleTest {
  private static final String[] REGIONS = {"us-east-1", "eu-west-1", "ap-south-1"};

  /** How a region applies a replicated version; the real one and the wrong ones under test. */
  interface Rule {
    boolean applies(ItemStamp incoming, ItemStamp stored);

    /** Whether a delete keeps its stamp (a tombstone) or forgets the item entirely. */
    default boolean keepsTombstones() {
      return true;
    }
  }

  static final Rule REAL = ItemStamp::supersedes;
  static final Rule ARRIVAL_ORDER = (incoming, stored) -> true;
  static final Rule NO_TOMBSTONES =
      new Rule() {
        @Override
        public boolean applies(ItemStamp incoming, ItemStamp stored) {
          return ItemStamp.supersedes(incoming, stored);
        }

        @Override
        public boolean keepsTombstones() {
          return false;
        }
      };

  /** One version of one item: a value, or null for a delete. */
  record Version(int key, Integer value, ItemStamp stamp) {}

  record Message(int to, Version version) {}

  /** The model: per region, per key, the stored version (a tombstone has a null value). */
  static final class Model {
    final List<Map<Integer, Version>> stores = new ArrayList<>();
    final List<Version> written = new ArrayList<>();
    final Rule rule;

    Model(Rule rule) {
      this.rule = rule;
      for (int i = 0; i < REGIONS.length; i++) {
        stores.add(new HashMap<>());
      }
    }

    void apply(int region, Version v) {
      Map<Integer, Version> store = stores.get(region);
      Version cur = store.get(v.key());
      if (!rule.applies(v.stamp(), cur == null ? null : cur.stamp())) {
        return;
      }
      if (v.value() == null && !rule.keepsTombstones()) {
        store.remove(v.key());
      } else {
        store.put(v.key(), v);
      }
    }
  }

  /** Runs one seeded history and returns what is wrong with the outcome (empty: converged). */
  static List<String> run(long seed, Rule rule) {
    Random rnd = new Random(seed);
    Model m = new Model(rule);
    long[] skew = new long[REGIONS.length];
    long[] lastCommit = new long[REGIONS.length];
    for (int i = 0; i < skew.length; i++) {
      skew[i] = rnd.nextInt(40) - 20;
    }
    List<Message> inFlight = new ArrayList<>();
    long now = 1_000;
    int keys = 1 + rnd.nextInt(4);
    for (int step = 0; step < 200; step++) {
      now += rnd.nextInt(3);
      if (rnd.nextInt(3) > 0) {
        int r = rnd.nextInt(REGIONS.length);
        int key = rnd.nextInt(keys);
        // The sequencer's commit time never goes back, whatever the clock does.
        long commit = Math.max(now + skew[r], lastCommit[r]);
        lastCommit[r] = commit;
        Version cur = m.stores.get(r).get(key);
        ItemStamp s = ItemStamp.next(cur == null ? null : cur.stamp(), commit, REGIONS[r]);
        Version v = new Version(key, rnd.nextInt(4) == 0 ? null : rnd.nextInt(1000), s);
        // The local write itself always applies (it is above what it replaces).
        m.stores.get(r).put(key, v);
        if (v.value() == null && !rule.keepsTombstones()) {
          m.stores.get(r).remove(key);
        }
        m.written.add(v);
        for (int to = 0; to < REGIONS.length; to++) {
          if (to != r) {
            inFlight.add(new Message(to, v));
          }
        }
      } else if (!inFlight.isEmpty()) {
        deliver(rnd, m, inFlight);
      }
    }
    while (!inFlight.isEmpty()) {
      deliver(rnd, m, inFlight);
    }
    return check(m);
  }

  /** Delivers a random message (reorders and delays); sometimes keeps it to deliver again. */
  private static void deliver(Random rnd, Model m, List<Message> inFlight) {
    int i = rnd.nextInt(inFlight.size());
    Message msg = rnd.nextInt(5) == 0 ? inFlight.get(i) : inFlight.remove(i);
    m.apply(msg.to(), msg.version());
  }

  /** Every region equal, and each key at the highest stamp ever written for it. */
  static List<String> check(Model m) {
    List<String> wrong = new ArrayList<>();
    Map<Integer, Version> oracle = new HashMap<>();
    for (Version v : m.written) {
      oracle.merge(v.key(), v, (a, b) -> a.stamp().compareTo(b.stamp()) >= 0 ? a : b);
    }
    for (int r = 0; r < REGIONS.length; r++) {
      for (Map.Entry<Integer, Version> e : oracle.entrySet()) {
        Version have = m.stores.get(r).get(e.getKey());
        Integer value = have == null ? null : have.value();
        if (!Objects.equals(value, e.getValue().value())) {
          wrong.add(
              REGIONS[r] + " key " + e.getKey() + " holds " + value + ", expected " + e.getValue());
        }
      }
      if (!m.stores.get(r).values().stream()
          .filter(v -> v.value() != null)
          .map(Version::stamp)
          .toList()
          .equals(
              m.stores.get(0).values().stream()
                  .filter(v -> v.value() != null)
                  .map(Version::stamp)
                  .toList())) {
        wrong.add(REGIONS[r] + " differs from " + REGIONS[0]);
      }
    }
    return wrong;
  }

  // Protects convergence: 500 seeded histories with skewed clocks, reordering and duplicates.
  @Test
  void everyDeliveryOrderConvergesToTheHighestStamp() {
    for (long seed = 1; seed <= 500; seed++) {
      assertThat(run(seed, REAL)).as("seed %d", seed).isEmpty();
    }
  }

  // Negative control: applying versions in arrival order must be caught by the checker.
  @Test
  void theCheckerCatchesArrivalOrder() {
    assertThat(historiesCaught(ARRIVAL_ORDER)).isGreaterThan(50);
  }

  /** Of 200 seeded histories under {@code rule}, how many the checker finds wrong. */
  private static long historiesCaught(Rule rule) {
    long caught = 0;
    for (long seed = 1; seed <= 200; seed++) {
      caught += run(seed, rule).isEmpty() ? 0 : 1;
    }
    return caught;
  }

  // Negative control: forgetting deletes (no tombstones) must be caught too (resurrection).
  @Test
  void theCheckerCatchesMissingTombstones() {
    assertThat(historiesCaught(NO_TOMBSTONES)).isGreaterThan(10);
  }

  // Protects the algebra directly: applying two versions in either order, or one twice, ends the
  // same (commutative and idempotent over single deliveries).
  @Test
  void applyIsCommutativeAndIdempotent() {
    Random rnd = new Random(7);
    for (int i = 0; i < 10_000; i++) {
      Version a = randomVersion(rnd);
      Version b = randomVersion(rnd);
      if (a.stamp().equals(b.stamp()) && !a.equals(b)) {
        continue; // a stamp names one write: two different versions never share one
      }
      Model ab = new Model(REAL);
      ab.apply(0, a);
      ab.apply(0, b);
      Model ba = new Model(REAL);
      ba.apply(0, b);
      ba.apply(0, a);
      ba.apply(0, a);
      assertThat(ab.stores.get(0)).isEqualTo(ba.stores.get(0));
    }
  }

  private static Version randomVersion(Random rnd) {
    return new Version(
        0,
        rnd.nextBoolean() ? null : rnd.nextInt(3),
        new ItemStamp(rnd.nextInt(3), rnd.nextInt(2), REGIONS[rnd.nextInt(REGIONS.length)]));
  }
}
