package dev.tidemark.replication;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The clock-skew estimate from exchange timestamps: the offset, its bound, the best sample. */
class ClockSkewTest {

  // Protects the arithmetic: a peer 300 ms ahead, seen through exchanges with queueing delays,
  // is estimated within the shortest exchange's half round trip, and that bound holds.
  @Test
  void estimatesTheOffsetFromTheShortestExchange() {
    ClockSkew skew = new ClockSkew();
    assertThat(skew.estimate()).isNull();
    long offset = 300;
    long[][] exchanges = {{0, 40, 10}, {1000, 1004, 3}, {2000, 2090, 80}};
    for (long[] e : exchanges) {
      long sent = e[0];
      long received = e[1];
      long peerAnswered = sent + e[2] + offset; // the peer's clock when it answered
      skew.sample(sent, peerAnswered, received);
    }
    ClockSkew.Estimate est = skew.estimate();
    assertThat(est.samples()).isEqualTo(3);
    assertThat(est.uncertaintyMillis()).isEqualTo(2);
    assertThat(Math.abs(est.offsetMillis() - offset)).isLessThanOrEqualTo(est.uncertaintyMillis());
  }

  // Protects a peer behind this server: the sign says who is ahead.
  @Test
  void aPeerBehindHasANegativeOffset() {
    ClockSkew skew = new ClockSkew();
    skew.sample(10_000, 10_000 - 5_000 + 1, 10_002);
    assertThat(skew.estimate().offsetMillis()).isEqualTo(-5_000);
  }
}
