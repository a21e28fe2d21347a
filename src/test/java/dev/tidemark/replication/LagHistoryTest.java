package dev.tidemark.replication;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Protects the server-kept hour of replication lag that the console's Replicas tab draws when it
 * opens: lags land in the 10 s bucket of the instant they were measured, a bucket reports its
 * count, mean and maximum, the ring keeps exactly the last hour (older buckets drop out, a reused
 * slot starts afresh), and it does so with a fake clock, no waiting.
 */
class LagHistoryTest {
  private static final long T0 = 1_800_000_000_000L; // a bucket boundary (divisible by 10 s)

  @Test
  void bucketsHoldCountMeanAndMaxOfTheirTenSeconds() {
    LagHistory h = new LagHistory();
    h.record(T0 + 1_000, 40);
    h.record(T0 + 9_999, 60);
    h.record(T0 + 10_000, 500);
    h.record(T0 + 35_000, 7);
    List<LagHistory.Bucket> b = h.lastHour(T0 + 40_000);
    assertThat(b)
        .containsExactly(
            new LagHistory.Bucket(T0, 2, 50, 60),
            new LagHistory.Bucket(T0 + 10_000, 1, 500, 500),
            new LagHistory.Bucket(T0 + 30_000, 1, 7, 7));
  }

  @Test
  void onlyTheLastHourIsKeptAndReusedSlotsStartAfresh() {
    LagHistory h = new LagHistory();
    long hour = LagHistory.BUCKET_MILLIS * LagHistory.SLOTS;
    h.record(T0, 100);
    h.record(T0 + 20_000, 200);
    // Still inside the hour at its last millisecond.
    assertThat(h.lastHour(T0 + hour - 1)).hasSize(2);
    // An hour later the first bucket has aged out, though its slot was never reused.
    assertThat(h.lastHour(T0 + hour))
        .containsExactly(new LagHistory.Bucket(T0 + 20_000, 1, 200, 200));
    // The first bucket's slot, reused an hour on: the old count and max are gone.
    h.record(T0 + hour + 5, 3);
    assertThat(h.lastHour(T0 + hour + 10))
        .containsExactly(
            new LagHistory.Bucket(T0 + 20_000, 1, 200, 200),
            new LagHistory.Bucket(T0 + hour, 1, 3, 3));
    // A late lag from before the slot's current bucket is not counted in it.
    h.record(T0 + 1, 9_999);
    assertThat(h.lastHour(T0 + hour + 10).get(1).maxMillis()).isEqualTo(3);
    // Nothing at all after two idle hours.
    assertThat(h.lastHour(T0 + 3 * hour)).isEmpty();
  }

  @Test
  void lagStatsRecordsIntoTheHourByItsClock() {
    AtomicLong now = new AtomicLong(T0);
    LagStats stats = new LagStats(now::get);
    stats.record(120, true);
    now.addAndGet(61_000);
    stats.record(80, false);
    stats.record(90, true);
    ArrayNode out = new ObjectMapper().createArrayNode();
    stats.writeLastHour(out);
    assertThat(out).hasSize(2);
    JsonNode first = out.get(0);
    assertThat(first.get("startMillis").asLong()).isEqualTo(T0);
    assertThat(first.get("records").asLong()).isEqualTo(1);
    assertThat(first.get("maxMillis").asLong()).isEqualTo(120);
    JsonNode second = out.get(1);
    assertThat(second.get("startMillis").asLong()).isEqualTo(T0 + 60_000);
    assertThat(second.get("records").asLong()).isEqualTo(2);
    assertThat(second.get("meanMillis").asLong()).isEqualTo(85);
    assertThat(second.get("maxMillis").asLong()).isEqualTo(90);
    // The window summary is unchanged by the history beside it.
    assertThat(stats.summary().samples()).isEqualTo(3);
    assertThat(stats.summary().superseded()).isEqualTo(1);
  }
}
