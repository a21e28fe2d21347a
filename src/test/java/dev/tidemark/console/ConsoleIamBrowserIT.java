package dev.tidemark.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.cli.Bootstrap;
import dev.tidemark.testkit.IamServerConfig;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * Protects the console under {@code --auth iam} in a real browser, on a loopback address (a secure
 * context, where the page signs with WebCrypto): a person signs in with an access key made through
 * the IAM API, sees only the tables their policy lets them describe, gets AWS's AccessDenied
 * message for an action their policy refuses (and nothing is done), is told plainly when the secret
 * is wrong, and signs out, after which the key is gone from the tab. Screenshots go to {@code
 * target/console-screenshots/}.
 */
class ConsoleIamBrowserIT {
  private static final Path SHOTS = Path.of("target", "console-screenshots");
  private static final String ACCOUNT = "123456789012";

  /** Lists and reads the Visible* tables; nothing else, so CreateBackup is refused. */
  private static final String VIEWER_POLICY =
      """
      {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["dynamodb:ListTables", "dynamodb:ListBackups"],
         "Resource": "*"},
        {"Effect": "Allow",
         "Action": ["dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups",
                    "dynamodb:Scan", "dynamodb:Query", "dynamodb:GetItem"],
         "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/Visible*"}]}
      """;

  private static Bootstrap.Running server;
  private static DynamoDbClient admin;
  private static WebDriver browser;
  private static WebDriverWait wait;
  private static String keyId;
  private static String secret;

  @BeforeAll
  static void start() throws Exception {
    String missing = HeadlessChromium.missing();
    Assumptions.assumeTrue(missing == null, missing + ": the IAM console test is skipped");
    Files.createDirectories(SHOTS);
    Path dir = Files.createTempDirectory("console-iam");
    server = Bootstrap.start(IamServerConfig.of(dir, ACCOUNT, true));
    String[] root = IamServerConfig.adminKey(dir.resolve("admin.credentials"));
    var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create(root[0], root[1]));
    admin =
        DynamoDbClient.builder()
            .endpointOverride(URI.create(server.endpoint()))
            .region(Region.US_EAST_1)
            .credentialsProvider(creds)
            .httpClient(UrlConnectionHttpClient.create())
            .build();
    for (String t : new String[] {"Visible1", "Visible2", "Hidden"}) {
      ConsoleApiIntegrationTest.table(admin, t);
    }
    ConsoleApiIntegrationTest.put(admin, "Visible1", "a", "one");
    try (IamClient iam =
        IamClient.builder()
            .endpointOverride(URI.create(server.endpoint()))
            .region(Region.US_EAST_1)
            .credentialsProvider(creds)
            .httpClient(UrlConnectionHttpClient.create())
            .build()) {
      iam.createUser(r -> r.userName("viewer"));
      iam.putUserPolicy(r -> r.userName("viewer").policyName("view").policyDocument(VIEWER_POLICY));
      var key = iam.createAccessKey(r -> r.userName("viewer")).accessKey();
      keyId = key.accessKeyId();
      secret = key.secretAccessKey();
    }
    browser = HeadlessChromium.start();
    wait = HeadlessChromium.waiting(browser);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (admin != null) {
      admin.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static void shot(String name) throws Exception {
    File f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(f.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  private static WebElement waitFor(String css) {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
  }

  private static void waitForText(String css, String text) {
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), text));
  }

  private static Object js(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }

  private static void signIn(String id, String key) {
    WebElement form = waitFor("#sign-in");
    form.findElement(By.name("accessKeyId")).sendKeys(id);
    form.findElement(By.name("secretAccessKey")).sendKeys(key);
    form.findElement(By.cssSelector("button[type=submit]")).click();
  }

  private static void signOut() {
    waitFor("#sign-out").click();
    waitFor("#sign-in");
    assertThat(js("return sessionStorage.getItem('tidemark.console.credentials');")).isNull();
    assertThat(browser.findElement(By.id("who")).getText()).isEmpty();
  }

  @Test
  void aPersonSignsInSeesWhatTheyMayIsRefusedTheRestAndSignsOut() throws Exception {
    browser.get(server.endpoint() + "/console/");
    waitFor("#sign-in");
    assertThat(js("return window.isSecureContext && !!(crypto && crypto.subtle);")).isEqualTo(true);
    shot("iam-01-sign-in");

    // A wrong secret: the server's own refusal is shown, and the person can sign out again.
    signIn(keyId, secret + "x");
    waitForText("#status", "InvalidSignatureException");
    shot("iam-02-wrong-secret");
    signOut();

    signIn(keyId, secret);
    waitFor("#tables a");
    String tables = browser.findElement(By.id("tables")).getText();
    assertThat(tables).contains("Visible1").contains("Visible2").doesNotContain("Hidden");
    assertThat(browser.findElement(By.id("who")).getText()).contains(keyId);
    shot("iam-03-tables");

    // A table the policy covers reads; a backup of it is refused in AWS's words, and not made.
    browser.get(server.endpoint() + "/console/#/table/Visible1/backups");
    waitFor("#backup-create").click();
    waitForText("#status", "AccessDeniedException");
    assertThat(browser.findElement(By.id("status")).getText())
        .contains("is not authorized to perform: dynamodb:CreateBackup")
        .contains(":table/Visible1");
    assertThat(admin.listBackups(r -> r.backupType("ALL")).backupSummaries()).isEmpty();
    shot("iam-04-access-denied");

    // A table outside the policy cannot even be opened by its name.
    browser.get(server.endpoint() + "/console/#/table/Hidden/overview");
    waitForText("#status", "dynamodb:DescribeTable");
    assertThat(browser.findElement(By.id("main")).getText()).doesNotContain("Partition key");

    signOut();
    shot("iam-05-signed-out");
  }
}
