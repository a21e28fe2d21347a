package dev.tidemark.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * What the console's browser tests share: Debian's headless Chromium driven by Selenium, pointed at
 * one server's console, with helpers to open a page, wait for what it shows, check the
 * accessibility basics and write screenshots to {@code target/console-screenshots/}. One browser at
 * a time (the test classes run one after the other), so the state is static and the tests read
 * {@link #browser} and {@link #wait} as if they were their own.
 */
final class ConsoleBrowser {
  static final Path SHOTS = Path.of("target", "console-screenshots");

  static WebDriver browser;
  static WebDriverWait wait;
  static String console;

  private ConsoleBrowser() {}

  /** Skips the calling test class, saying why, when the browser is not installed. */
  static void assumeInstalled() {
    String missing = HeadlessChromium.missing();
    Assumptions.assumeTrue(missing == null, missing + ": the console's browser tests are skipped");
  }

  /** Starts the browser on the console of the server at {@code endpoint}. */
  static void start(String endpoint) throws Exception {
    Files.createDirectories(SHOTS);
    console = endpoint + "/console/";
    browser = HeadlessChromium.start();
    wait = HeadlessChromium.waiting(browser);
  }

  static void stop() {
    if (browser != null) {
      browser.quit();
      browser = null;
    }
  }

  static void shot(String name) throws Exception {
    File f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(f.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  static void open(String hash) {
    browser.get(console + hash);
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("main h1")));
  }

  static WebElement waitFor(String css) {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
  }

  static void waitForText(String css, String text) {
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), text));
  }

  static String text(String css) {
    return waitFor(css).getText();
  }

  /** How many points a chart drew (its {@code data-samples}), once it is shown. */
  static int samples(String css) {
    return Integer.parseInt(waitFor(css).getAttribute("data-samples"));
  }

  static void type(String css, String text) {
    WebElement e = waitFor(css);
    e.clear();
    e.sendKeys(text);
  }

  static Object js(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }

  /** Every form control has a label, no id is used twice, and the page does not scroll sideways. */
  static void checkAccessible(String page) {
    @SuppressWarnings("unchecked")
    List<String> duplicateIds =
        (List<String>)
            js(
                "const ids = [...document.querySelectorAll('[id]')].map(e => e.id);"
                    + "return ids.filter((id, i) => ids.indexOf(id) !== i);");
    assertThat(duplicateIds).as("ids used twice on " + page).isEmpty();
    @SuppressWarnings("unchecked")
    List<String> unlabelled =
        (List<String>)
            js(
                "return [...document.querySelectorAll('input, select, textarea')]"
                    + ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))"
                    + ".map(e => e.outerHTML);");
    assertThat(unlabelled).as("unlabelled controls on " + page).isEmpty();
    Object overflow =
        js("return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
    assertThat(((Number) overflow).intValue())
        .as("sideways scroll on " + page)
        .isLessThanOrEqualTo(1);
  }
}
