package dev.tidemark.console;

import static dev.tidemark.console.ConsoleBrowser.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.cli.Bootstrap;
import dev.tidemark.testkit.OpenServerConfig;
import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Protects the console end to end in a real browser (Debian's headless Chromium, driven by
 * Selenium): a person turns on deletion protection and sees DeleteTable refused, turns on PITR,
 * creates a backup, restores it and sees the new table's items, edits an item, reads its history,
 * restores to the instant before the edit and sees the old value; every page passes the
 * accessibility basics (each control labelled, links reached and followed by keyboard) and fits a
 * phone's width. Screenshots of each page go to {@code target/console-screenshots/}.
 *
 * <p>The browser comes from {@code scripts/install-browser.sh}, which the build runs before the
 * integration tests; without it the test is skipped, saying so.
 */
class ConsoleBrowserIT {
  private static Bootstrap.Running server;
  private static DynamoDbClient ddb;

  @BeforeAll
  static void start() throws Exception {
    assumeInstalled();
    server = Bootstrap.start(OpenServerConfig.inMemory(Files.createTempDirectory("console-ui")));
    ddb =
        DynamoDbClient.builder()
            .endpointOverride(URI.create(server.endpoint()))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .httpClient(UrlConnectionHttpClient.create())
            .build();
    ConsoleBrowser.start(server.endpoint());
  }

  @AfterAll
  static void stop() {
    ConsoleBrowser.stop();
    if (ddb != null) {
      ddb.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static void item(String table, String pk, String v) {
    ConsoleApiIntegrationTest.put(ddb, table, pk, v);
  }

  @Test
  void aPersonProtectsBacksUpRestoresAndFindsTheInstantBeforeABadWrite() throws Exception {
    ConsoleApiIntegrationTest.table(ddb, "Orders");
    for (String pk : List.of("o1", "o2", "o3")) {
      item("Orders", pk, "good");
    }

    // Tables, and the keyboard: a page moves focus to its content; Tab reaches the table's link
    // and Enter follows it.
    open("#/tables");
    waitFor("#tables a");
    assertThat(browser.findElement(By.id("tables")).getText()).contains("Orders").contains("Off");
    checkAccessible("tables");
    assertThat(browser.switchTo().activeElement().getAttribute("id")).isEqualTo("main");
    browser.switchTo().activeElement().sendKeys(Keys.TAB);
    assertThat(browser.switchTo().activeElement().getText()).isEqualTo("Orders");
    shot("01-tables");
    browser.switchTo().activeElement().sendKeys(Keys.ENTER);
    waitForText("#overview", "Partition key");
    shot("01b-overview");

    // Deletion protection on; DeleteTable is then refused, with DynamoDB's message.
    open("#/table/Orders/settings");
    waitFor("#protection-toggle").click();
    waitForText("#protection-state", "On: DeleteTable is refused.");
    checkAccessible("settings");
    waitFor("#table-delete").click();
    type("#confirm-name", "Orders");
    waitFor("#confirm-ok").click();
    waitForText("#status", "protected against deletion");
    assertThat(ddb.describeTable(b -> b.tableName("Orders")).table().tableStatusAsString())
        .isEqualTo("ACTIVE");
    shot("02-settings-deletion-refused");

    // PITR on, with its window drawn.
    open("#/table/Orders/pitr");
    waitFor("#pitr-enable").click();
    waitForText("#pitr-state", "On, keeping 35 days.");
    waitFor("#pitr-timeline");
    checkAccessible("pitr");
    shot("03-pitr");

    // A backup, then its restore into a new table whose items the console shows.
    open("#/table/Orders/backups");
    type("#backup-name", "orders-b1");
    waitFor("#backup-create").click();
    waitForText("#status", "Backup orders-b1: AVAILABLE");
    waitForText("#backups-table", "AVAILABLE");
    checkAccessible("backups");
    shot("04-backups");
    waitFor("button[aria-label='Restore orders-b1']").click();
    type("#restore-target", "OrdersFromBackup");
    checkAccessible("restore dialog");
    waitFor("#restore-submit").click();
    waitFor("#restore-done");
    open("#/table/OrdersFromBackup/items");
    waitForText("#items-count", "3 item(s)");
    assertThat(browser.findElement(By.id("items-table")).getText()).contains("o1", "o2", "o3");
    checkAccessible("items");
    shot("05-restored-items");

    // A good version of o1 inside the window, then a bad write, made in the item editor.
    item("Orders", "o1", "checked");
    open("#/table/Orders/items");
    waitForText("#items-count", "3 item(s)");
    browser.findElements(By.cssSelector("#items-table tbody tr")).stream()
        .filter(r -> r.getText().startsWith("o1"))
        .findFirst()
        .orElseThrow()
        .findElement(By.cssSelector("button"))
        .click();
    WebElement editor = waitFor("#item-json");
    js(
        "document.getElementById('item-json').value = JSON.stringify("
            + "{pk: {S: 'o1'}, v: {S: 'bad'}}, null, 2);");
    assertThat(editor.getAttribute("value")).contains("bad");
    waitFor("#item-save").click();
    waitForText("#status", "Item saved.");
    assertThat(
            ddb.getItem(b -> b.tableName("Orders").key(Map.of("pk", AttributeValue.fromS("o1"))))
                .item()
                .get("v")
                .s())
        .isEqualTo("bad");
    long badWrite = System.currentTimeMillis();

    // Its history: both versions, the change shown as a diff.
    open(
        "#/table/Orders/history?key="
            + java.net.URLEncoder.encode("{\"pk\":{\"S\":\"o1\"}}", "UTF-8"));
    waitFor("#versions li");
    String history = browser.findElement(By.id("versions")).getText();
    assertThat(history).contains("MODIFY by USER").contains("~ v: checked → bad");
    // Each version names its writer: the page's own key for the edit, the SDK's for the write
    // before it.
    assertThat(history).contains("Written by tidemark-console").contains("Written by test");
    checkAccessible("history");
    shot("06-item-history");

    // Restore to just before the bad write, once the archive has it, and see the old value.
    wait.until(
        d ->
            ddb.describeContinuousBackups(b -> b.tableName("Orders"))
                    .continuousBackupsDescription()
                    .pointInTimeRecoveryDescription()
                    .latestRestorableDateTime()
                    .toEpochMilli()
                >= badWrite);
    browser.findElement(By.linkText("Restore to just before this")).click();
    waitFor("#pitr-restore-form");
    type("#pitr-target", "OrdersBefore");
    String instant = browser.findElement(By.id("pitr-instant")).getAttribute("value");
    assertThat(instant).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    waitFor("#pitr-restore").click();
    waitFor("#restore-done");
    assertThat(
            ddb.getItem(
                    b -> b.tableName("OrdersBefore").key(Map.of("pk", AttributeValue.fromS("o1"))))
                .item()
                .get("v")
                .s())
        .isEqualTo("checked");
    open("#/table/OrdersBefore/items");
    waitForText("#items-count", "3 item(s)");
    assertThat(browser.findElement(By.id("items-table")).getText()).contains("o1 checked");
    shot("07-restored-to-instant");

    // Backups in the left navigation: every backup, restorable from there.
    open("#/backups");
    waitForText("#all-backups", "orders-b1");
    checkAccessible("all backups");
    shot("08-all-backups");

    // A phone's width: the pages reflow instead of scrolling sideways.
    browser.manage().window().setSize(new Dimension(375, 800));
    open("#/tables");
    waitFor("#tables a");
    checkAccessible("tables, narrow");
    shot("09-narrow-tables");
    open("#/table/Orders/pitr");
    waitFor("#pitr-timeline");
    checkAccessible("pitr, narrow");
    shot("10-narrow-pitr");
  }
}
