package dev.tidemark.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.cli.Bootstrap;
import dev.tidemark.testkit.OpenServerConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BackupSummary;
import software.amazon.awssdk.services.dynamodb.model.BackupTypeFilter;

/**
 * Not part of the suite (its name matches no surefire pattern): the console's page load with many
 * tables and backups, issue 16's measure (1,000 tables and 10,000 backups, target under 1 s).
 *
 * <p>Set-up: an in-memory server with a directory backup store; {@code bench.tables} empty tables
 * and {@code bench.backups} backups of them (spread evenly), made by parallel CreateTable and
 * CreateBackup calls ({@code bench.threads}), then waited for until every backup is AVAILABLE; the
 * set-up time is reported. Then headless Chromium loads the Tables page and the Backups page {@code
 * bench.loads} times each, from a blank page every time, and reports navigation-to-rendered times:
 * the {@code tidemark:rendered:<page>} mark the page sets once its list is drawn, read from the
 * Performance API (milliseconds from navigation start). The first load of each page is reported
 * apart (cold: the browser's module cache and the server's JIT are fresh). For comparison, it also
 * times what the tables page did before DescribeTableSummaries: ListTables, then DescribeTable and
 * DescribeContinuousBackups for every table, six in flight, signed in the page.
 *
 * <p>Run: {@code mvn -o -B test -Dtest=ConsoleLoadBench -Dbench.tables=1000 -Dbench.backups=10000}
 * (the defaults); Chromium from {@code scripts/install-browser.sh}.
 */
class ConsoleLoadBench {
  @TempDir Path dir;

  @Test
  void consolePageLoad() throws Exception {
    String missing = HeadlessChromium.missing();
    Assumptions.assumeTrue(missing == null, missing);
    int tables = Integer.getInteger("bench.tables", 1000);
    int backups = Integer.getInteger("bench.backups", 10_000);
    int loads = Integer.getInteger("bench.loads", 10);
    int threads = Integer.getInteger("bench.threads", 16);
    StringBuilder report = new StringBuilder();
    try (Bootstrap.Running server = Bootstrap.start(OpenServerConfig.inMemory(dir));
        DynamoDbClient ddb =
            DynamoDbClient.builder()
                .endpointOverride(URI.create(server.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("b", "b")))
                .httpClient(UrlConnectionHttpClient.builder().build())
                .build()) {
      long t0 = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < tables; i++) {
          names.add(String.format(Locale.ROOT, "bench-%05d", i));
        }
        all(pool, names, n -> ConsoleApiIntegrationTest.table(ddb, n));
        long t1 = System.nanoTime();
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < backups; i++) {
          ids.add(i);
        }
        all(pool, ids, i -> createBackup(ddb, names.get(i % tables), "backup-" + i));
        long t2 = System.nanoTime();
        int available = 0;
        while (available < backups) {
          available = 0;
          String start = null;
          do {
            String from = start;
            var page =
                ddb.listBackups(
                    r -> r.backupType(BackupTypeFilter.ALL).exclusiveStartBackupArn(from));
            for (BackupSummary b : page.backupSummaries()) {
              if (b.backupStatusAsString().equals("AVAILABLE")) {
                available++;
              }
            }
            start = page.lastEvaluatedBackupArn();
          } while (start != null);
          if (available < backups) {
            Thread.sleep(500);
          }
        }
        long t3 = System.nanoTime();
        report.append(
            String.format(
                Locale.ROOT,
                "Set-up: %d tables in %.1f s, %d CreateBackup calls in %.1f s, all AVAILABLE"
                    + " after %.1f s more (%d threads)%n",
                tables,
                (t1 - t0) / 1e9,
                backups,
                (t2 - t1) / 1e9,
                (t3 - t2) / 1e9,
                threads));
      } finally {
        pool.shutdownNow();
      }

      WebDriver browser = HeadlessChromium.start();
      try {
        String console = server.endpoint() + "/console/";
        for (String page : List.of("tables", "backups")) {
          List<Double> times = new ArrayList<>();
          List<Double> api = new ArrayList<>();
          for (int i = 0; i <= loads; i++) {
            double[] t = load(browser, console, page);
            if (i == 0) {
              report.append(
                  String.format(
                      Locale.ROOT,
                      "%s page, first load: %.0f ms to rendered (API %.0f ms)%n",
                      page,
                      t[0],
                      t[1]));
            } else {
              times.add(t[0]);
              api.add(t[1]);
            }
          }
          report.append(
              String.format(
                  Locale.ROOT,
                  "%s page, %d loads: navigation to rendered median %.0f ms, max %.0f ms;"
                      + " its API call median %.0f ms, max %.0f ms%n",
                  page,
                  loads,
                  median(times),
                  Collections.max(times),
                  median(api),
                  Collections.max(api)));
        }
        report.append(
            String.format(
                Locale.ROOT,
                "Before DescribeTableSummaries (ListTables, then DescribeTable and"
                    + " DescribeContinuousBackups per table, 6 in flight): %.0f ms%n",
                perTableCalls(browser, console)));
      } finally {
        browser.quit();
      }
    }
    System.out.print(report);
    Path out = Path.of("target", "bench", "console-load.txt");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report.toString());
    assertThat(report).contains("rendered");
  }

  private interface Work<T> {
    void run(T t) throws Exception;
  }

  /**
   * The server runs at most ten backups and restores at once, as DynamoDB limits them; more callers
   * than that are told LimitExceededException and retry here after a short pause.
   */
  private static void createBackup(DynamoDbClient ddb, String table, String name)
      throws InterruptedException {
    while (true) {
      try {
        ddb.createBackup(r -> r.tableName(table).backupName(name));
        return;
      } catch (software.amazon.awssdk.services.dynamodb.model.LimitExceededException e) {
        Thread.sleep(20);
      }
    }
  }

  private static <T> void all(ExecutorService pool, List<T> items, Work<T> work) throws Exception {
    AtomicInteger next = new AtomicInteger();
    List<Future<?>> futures = new ArrayList<>();
    int workers = ((java.util.concurrent.ThreadPoolExecutor) pool).getCorePoolSize();
    for (int w = 0; w < workers; w++) {
      futures.add(
          pool.submit(
              () -> {
                for (int i = next.getAndIncrement(); i < items.size(); i = next.getAndIncrement()) {
                  work.run(items.get(i));
                }
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
  }

  /** One load from a blank page: {rendered mark, longest API request} in ms. */
  private static double[] load(WebDriver browser, String console, String page) {
    browser.get("about:blank");
    browser.get(console + "#/" + page);
    new WebDriverWait(browser, java.time.Duration.ofSeconds(120))
        .until(
            b ->
                page.equals(
                    ((JavascriptExecutor) b)
                        .executeScript("return document.body.dataset.rendered || null;")));
    @SuppressWarnings("unchecked")
    Map<String, Object> t =
        (Map<String, Object>)
            ((JavascriptExecutor) browser)
                .executeScript(
                    "const m = performance.getEntriesByName('tidemark:rendered:"
                        + page
                        + "')[0];"
                        + "const api = performance.getEntriesByType('resource')"
                        + ".filter(r => r.initiatorType === 'fetch' && !r.name.endsWith('settings.json'))"
                        + ".map(r => r.duration);"
                        + "return {rendered: m.startTime, api: Math.max(0, ...api)};");
    return new double[] {
      ((Number) t.get("rendered")).doubleValue(), ((Number) t.get("api")).doubleValue()
    };
  }

  /** The old tables page's calls, made from the page with its own signing code. */
  private static double perTableCalls(WebDriver browser, String console) {
    browser.manage().timeouts().scriptTimeout(java.time.Duration.ofMinutes(10));
    browser.get("about:blank");
    browser.get(console + "#/tables");
    new WebDriverWait(browser, java.time.Duration.ofSeconds(120))
        .until(
            b ->
                "tables"
                    .equals(
                        ((JavascriptExecutor) b)
                            .executeScript("return document.body.dataset.rendered || null;")));
    Object ms =
        ((JavascriptExecutor) browser)
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "import(location.origin + '/console/js/api.js').then(async ({ dynamo }) => {"
                    + "  const t0 = performance.now();"
                    + "  const names = []; let start;"
                    + "  do {"
                    + "    const r = await dynamo('ListTables', start ? { ExclusiveStartTableName: start } : {});"
                    + "    names.push(...r.TableNames); start = r.LastEvaluatedTableName;"
                    + "  } while (start);"
                    + "  let next = 0;"
                    + "  const worker = async () => { while (next < names.length) { const n = names[next++];"
                    + "    await Promise.all([dynamo('DescribeTable', { TableName: n }),"
                    + "      dynamo('DescribeContinuousBackups', { TableName: n })]); } };"
                    + "  await Promise.all(Array.from({ length: 6 }, worker));"
                    + "  done(performance.now() - t0);"
                    + "}).catch((e) => done(-1));");
    return ((Number) ms).doubleValue();
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }
}
