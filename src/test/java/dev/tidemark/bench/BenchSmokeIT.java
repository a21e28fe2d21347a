package dev.tidemark.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code bench/run.sh --smoke} against the packaged jar: a few seconds per workload, Tidemark
 * only (a first download of DynamoDB Local took over a minute here, too slow for every CI run). It
 * checks that the harness starts the server, loads, drives wrk and prints its table. It asserts no
 * timings: CI machines are shared and their numbers mean nothing.
 */
class BenchSmokeIT {

  @Test
  void smokeRunPrintsTheTable() throws Exception {
    Path root = Path.of("").toAbsolutePath();
    ProcessBuilder pb =
        new ProcessBuilder("bash", root.resolve("bench").resolve("run.sh").toString(), "--smoke")
            .redirectErrorStream(true);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    boolean done = p.waitFor(5, TimeUnit.MINUTES);
    String text = new String(out, StandardCharsets.UTF_8);
    assertThat(done).as("smoke run finished in time").isTrue();
    assertThat(p.exitValue()).as("exit status; output:%n%s", text).isZero();
    assertThat(text)
        .contains("| workload | tidemark ops/s | p50 ms | p99 ms | p99.9 ms |")
        .contains("| GetItem 200B |")
        .contains("| Query 200B x10 |")
        .contains("| 50/50 read/update 200B |")
        .contains("| PutItem 200B |")
        .contains("| TARGET PutItem 1KB 16 conn |")
        .contains("| tidemark | ")
        .doesNotContain("(ERR)");
  }
}
