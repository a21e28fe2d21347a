package dev.tidemark.console;

import java.io.File;
import java.time.Duration;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium under Selenium, as the console's browser tests and its page-load
 * benchmark start it: {@code scripts/install-browser.sh} installs it before the integration tests.
 */
final class HeadlessChromium {
  static final String CHROMIUM = "/usr/bin/chromium";
  static final String DRIVER = "/usr/bin/chromedriver";

  /** Why the browser cannot run here, or null when it can. */
  static String missing() {
    return new File(CHROMIUM).canExecute() && new File(DRIVER).canExecute()
        ? null
        : "chromium and chromedriver are not installed (scripts/install-browser.sh installs them as"
            + " root with apt-get)";
  }

  private HeadlessChromium() {}

  static WebDriver start() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1000",
        "--js-flags=--max-old-space-size=256");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(DRIVER))
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }

  static WebDriverWait waiting(WebDriver browser) {
    return new WebDriverWait(browser, Duration.ofSeconds(30));
  }
}
