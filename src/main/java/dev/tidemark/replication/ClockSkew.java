package dev.tidemark.replication;

/**
 * How far a peer's clock is from this server's, from the timestamps of each exchange: this side's
 * send and receive times and the peer's time in its answer ({@value #HEADER}). As in NTP, the
 * offset is the peer's time minus the exchange's midpoint, and its uncertainty is half the round
 * trip. Of the last {@value #WINDOW} exchanges, the one with the shortest round trip is reported:
 * queueing only ever adds delay, so it is the most precise. The skew matters because the stamps
 * that decide conflicts carry each region's own clock, and measured lag includes it.
 */
final class ClockSkew {
  /** The answering server's clock (epoch millis) when it sent the answer. */
  static final String HEADER = "X-Tidemark-Time";

  static final int WINDOW = 64;

  private final long[] offsets = new long[WINDOW];
  private final long[] roundTrips = new long[WINDOW];
  private int next;
  private int size;
  private long samples;

  /** One exchange: sent at {@code sentMillis}, answered at {@code peerMillis}, received then. */
  synchronized void sample(long sentMillis, long peerMillis, long receivedMillis) {
    long rtt = Math.max(0, receivedMillis - sentMillis);
    offsets[next] = peerMillis - (sentMillis + rtt / 2);
    roundTrips[next] = rtt;
    next = (next + 1) % WINDOW;
    size = Math.min(size + 1, WINDOW);
    samples++;
  }

  /** The best recent estimate, or null before the first exchange. */
  synchronized Estimate estimate() {
    if (size == 0) {
      return null;
    }
    int best = 0;
    for (int i = 1; i < size; i++) {
      if (roundTrips[i] < roundTrips[best]) {
        best = i;
      }
    }
    return new Estimate(offsets[best], (roundTrips[best] + 1) / 2, samples);
  }

  /**
   * @param offsetMillis the peer's clock minus this server's (positive: the peer is ahead)
   * @param uncertaintyMillis the true offset is within this of {@code offsetMillis}
   * @param samples exchanges measured since start
   */
  record Estimate(long offsetMillis, long uncertaintyMillis, long samples) {}
}
