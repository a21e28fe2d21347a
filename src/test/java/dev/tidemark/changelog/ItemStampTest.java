package dev.tidemark.changelog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ItemStampTest {
  // Protects the one promise of next(): the new stamp is above the one passed in, also when that
  // stamp's time is ahead of our clock and its counter cannot count any higher.
  @Test
  void nextIsAlwaysAboveTheStampItIsGiven() {
    ItemStamp ahead = new ItemStamp(2_000, 7, "us-east-1");
    assertThat(ItemStamp.next(ahead, 1_000, "eu-west-1"))
        .isEqualTo(new ItemStamp(2_000, 8, "eu-west-1"))
        .isGreaterThan(ahead);
    assertThat(ItemStamp.next(ahead, 3_000, "eu-west-1"))
        .isEqualTo(new ItemStamp(3_000, 0, "eu-west-1"));
    ItemStamp full = new ItemStamp(2_000, Integer.MAX_VALUE, "us-east-1");
    assertThat(ItemStamp.next(full, 1_000, "eu-west-1"))
        .isEqualTo(new ItemStamp(2_001, 0, "eu-west-1"))
        .isGreaterThan(full);
    assertThat(ItemStamp.next(null, 1_000, "eu-west-1"))
        .isEqualTo(new ItemStamp(1_000, 0, "eu-west-1"));
  }

  @Test
  void maxTreatsNullAsLowest() {
    ItemStamp a = new ItemStamp(1, 0, "a");
    ItemStamp b = new ItemStamp(1, 0, "b");
    assertThat(ItemStamp.max(null, a)).isSameAs(a);
    assertThat(ItemStamp.max(a, null)).isSameAs(a);
    assertThat(ItemStamp.max(a, b)).isSameAs(b);
    assertThat(ItemStamp.max(b, a)).isSameAs(b);
  }
}
