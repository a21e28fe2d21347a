package dev.tidemark.pitr;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;

/** The window arithmetic of one PITR incarnation. */
class PitrStateTest {
  private static final long DAY = PitrState.DAY_MILLIS;

  private static PitrState enabledAt(long start, int days) {
    return new PitrState(
        "t",
        "arn:aws:dynamodb:us-east-1:000000000000:table/t",
        "uuid",
        JsonNodeFactory.instance.objectNode(),
        true,
        days,
        start,
        1,
        null);
  }

  // Protects the recovery period's horizon: the window reaches back at most that many days.
  @Test
  void earliestIsTheLaterOfWindowStartAndPeriodHorizon() {
    PitrState st = enabledAt(0, 3);
    assertThat(st.earliest(DAY)).isZero();
    assertThat(st.earliest(10 * DAY)).isEqualTo(7 * DAY);
  }

  // Protects I6 after a period change: once a 1-day period let older history go (the pruner may
  // already have deleted it), raising the period to 35 days must not report those instants as
  // restorable again; the window grows back from the old horizon as time passes.
  @Test
  void longerPeriodDoesNotReachBackBeforeWhatTheShorterOneLetGo() {
    PitrState shortPeriod = enabledAt(0, 1);
    long now = 10 * DAY;
    PitrState longer = shortPeriod.withPeriod(35, now);
    assertThat(longer.recoveryPeriodDays()).isEqualTo(35);
    assertThat(longer.earliest(now)).isEqualTo(9 * DAY);
    assertThat(longer.earliest(now + 5 * DAY)).isEqualTo(9 * DAY);
    // Shrinking takes effect at once.
    assertThat(longer.withPeriod(2, now + 5 * DAY).earliest(now + 5 * DAY)).isEqualTo(13 * DAY);
  }
}
