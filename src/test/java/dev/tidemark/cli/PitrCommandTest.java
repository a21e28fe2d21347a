package dev.tidemark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.DecimalNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** `tidemark pitr` argument handling; the commands themselves run in e2e/pitr-drill.sh. */
class PitrCommandTest {

  private static int run(StringWriter err, String... args) {
    return Main.commandLine().setErr(new PrintWriter(err)).execute(args);
  }

  // Protects the restore instant: exactly one of --to and --latest, as the API demands.
  @Test
  void restoreNeedsExactlyOneOfToAndLatest() {
    StringWriter err = new StringWriter();
    assertThat(run(err, "pitr", "restore", "t", "u")).isEqualTo(2);
    assertThat(err.toString()).contains("--to").contains("--latest");
    err = new StringWriter();
    assertThat(run(err, "pitr", "restore", "t", "u", "--latest", "--to", "2026-11-21T10:14:59Z"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("mutually exclusive");
  }

  // Protects users from a silently wrong restore instant: a malformed --to is refused, naming the
  // expected form, before any server is asked.
  @Test
  void malformedInstantIsRefused() {
    StringWriter err = new StringWriter();
    assertThat(
            run(
                err,
                "pitr",
                "restore",
                "t",
                "u",
                "--to",
                "21/11/2026 10:14",
                "--endpoint",
                "http://127.0.0.1:1"))
        .isEqualTo(1);
    assertThat(err.toString()).contains("2026-11-21T10:14:59.250Z");
  }

  // Protects the window's display: wire timestamps (epoch seconds with a fraction) become exact
  // milliseconds, as ISO-8601 instants.
  @Test
  void wireSecondsBecomeExactMilliseconds() {
    long ms = java.time.Instant.parse("2026-11-21T10:14:59.250Z").toEpochMilli();
    // As a server writes it, with the trailing zero dropped.
    BigDecimal seconds = BigDecimal.valueOf(ms, 3).stripTrailingZeros();
    assertThat(PitrCommand.millis(new DecimalNode(seconds))).isEqualTo(ms);
    assertThat(PitrCommand.time(ms)).isEqualTo("2026-11-21T10:14:59.250Z");
    assertThat(PitrCommand.time(null)).isEqualTo("-");
  }

  // Protects against an ambiguous status request: the server or the store, not both.
  @Test
  void statusAsksTheServerOrTheStoreNotBoth() {
    StringWriter err = new StringWriter();
    assertThat(
            run(err, "pitr", "status", "--endpoint", "http://127.0.0.1:1", "--backup-dir", "/tmp"))
        .isEqualTo(1);
    assertThat(err.toString()).contains("not both");
  }
}
