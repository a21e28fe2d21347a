package dev.tidemark.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Runs the AWS CLI end-to-end scripts in e2e/ against the packaged server jar, two at a time: each
 * script works in its own temporary directory on free ports, and most of its time is the CLI's
 * start-up and waits for servers, so two share the machine's cores without changing what they
 * prove.
 */
@Execution(ExecutionMode.CONCURRENT)
class CliEndToEndIT {

  static String runScript(String script) throws IOException, InterruptedException {
    Path root = Path.of("").toAbsolutePath();
    ProcessBuilder pb =
        new ProcessBuilder("bash", root.resolve("e2e").resolve(script).toString())
            .redirectErrorStream(true);
    pb.environment().put("TIDEMARK_JAR", System.getProperty("tidemark.jar", "target/tidemark.jar"));
    pb.environment()
        .put("S3PROXY_JAR", System.getProperty("s3proxy.jar", "target/s3proxy/s3proxy.jar"));
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    boolean done = p.waitFor(5, TimeUnit.MINUTES);
    String text = new String(out, StandardCharsets.UTF_8);
    assertThat(done).as("script finished in time").isTrue();
    assertThat(p.exitValue()).as("exit status of %s; output:%n%s", script, text).isZero();
    return text;
  }

  // Protects the promise that the AWS CLI works unchanged: create, write, query, restart, read
  // back.
  @Test
  void awsCliSmokeSurvivesRestart() throws Exception {
    assertThat(runScript("cli-smoke.sh")).contains("cli-smoke: OK");
  }

  // Protects TTL expiry, Streams and tags as the AWS CLI sees them, and their survival of a
  // restart.
  @Test
  void awsCliStreamsAndTtlSurviveRestart() throws Exception {
    assertThat(runScript("cli-streams-ttl.sh")).contains("cli-streams-ttl: OK");
  }

  // Protects compressed requests from a real SDK: the AWS CLI (botocore) with request compression
  // on gzips large PutItem, BatchWriteItem and TransactWriteItems bodies, which must be stored.
  @Test
  void awsCliGzippedRequestsAreServed() throws Exception {
    assertThat(runScript("cli-compression.sh")).contains("cli-compression: OK");
  }

  // Protects the documented console story for on-demand backups, through the AWS CLI.
  @Test
  void awsCliBackupAndRestore() throws Exception {
    assertThat(runScript("backup-restore.sh")).contains("backup-restore: OK");
  }

  // Protects `tidemark backup` against the store and the server, and corruption detection (I7).
  @Test
  void tidemarkBackupCommandsVerifyAndRefuseCorruption() throws Exception {
    assertThat(runScript("backup-verify.sh")).contains("backup-verify: OK");
  }

  // Protects the PITR console story through the AWS CLI: a bad deploy deleting 1,000 items is
  // undone by a restore to just before it, without the good writes that followed.
  @Test
  void awsCliPointInTimeRestoreUndoesBadDeploy() throws Exception {
    assertThat(runScript("pitr-bad-deploy.sh")).contains("pitr-bad-deploy: OK");
  }

  // Protects `tidemark pitr status|restore` and the README's "the disk is gone" drill: a fresh
  // server with only the backup store and the key restores a table by ARN to a millisecond.
  @Test
  void tidemarkPitrCommandsAndDisasterDrill() throws Exception {
    assertThat(runScript("pitr-drill.sh")).contains("pitr-drill: OK");
  }

  // Protects the drill with the backup store in S3 (an S3Proxy server the script starts): a fresh
  // server with an empty data directory, the same bucket and key lists and restores the backup and
  // the PITR window; `aws s3` shows only ciphertext in the bucket, and the S3 secret is never
  // logged.
  @Test
  void disasterDrillWithTheStoreInS3() throws Exception {
    assertThat(runScript("s3-drill.sh")).contains("s3-drill: OK");
  }

  // Protects --auth iam through the AWS CLI: the administrator's credentials file works at once,
  // `aws iam` and `aws sts` answer, policies decide, a deactivated key is refused.
  @Test
  void awsCliIamModeUsersKeysAndPolicies() throws Exception {
    assertThat(runScript("iam-cli.sh")).contains("iam-cli: OK");
  }

  // Protects --tls-cert/--tls-key with certificates openssl makes: the AWS CLI over https with
  // --ca-bundle (DynamoDB, IAM, STS), no trust without the CA, RSA PKCS#8 and EC SEC1 keys, and a
  // mismatched key refused at start.
  @Test
  void awsCliOverHttpsWithACaBundle() throws Exception {
    String out = runScript("tls-cli.sh");
    assertThat(out).containsAnyOf("tls-cli: OK", "tls-cli: SKIPPED");
  }

  // Protects the AWS Backup API through the unchanged AWS CLI: vault, backup job, recovery point
  // (also by table ARN, a %2F path), restore job compared item by item, vault refusal, restart.
  @Test
  void awsCliBackupVaultJobAndRestore() throws Exception {
    assertThat(runScript("aws-backup.sh")).contains("aws-backup: OK");
  }

  // Protects a backup plan's own scheduled run through the AWS CLI across two servers: the run
  // makes the point and its rule's copy in the other region, and a restore of the copy holds the
  // source's items; then a copy to another account's vault in the same region (a third server,
  // --copy-peer), refused until that vault's access policy allows it.
  @Test
  void awsCliPlanRunCopiesToAnotherRegion() throws Exception {
    assertThat(runScript("aws-backup-plan-copy.sh")).contains("aws-backup-plan-copy: OK");
  }

  // Protects the global tables console story through the AWS CLI between two server processes.
  @Test
  void awsCliGlobalTablesConsoleStory() throws Exception {
    assertThat(runScript("global-tables.sh")).contains("global-tables: OK");
  }
}
