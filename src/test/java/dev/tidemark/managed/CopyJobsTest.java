package dev.tidemark.managed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.api.ItemKeys;
import dev.tidemark.backup.BackupRecord;
import dev.tidemark.backup.Manifest;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.replication.CopyEndpoint;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.WritePath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protects copy jobs in-process, fast: a copy to a "peer region" (a second core with its own store
 * and its own master key, reached through the copy endpoint's dispatch as a peer's requests would
 * be) is re-encrypted under the destination's keys, verified, keeps the source's creation date and
 * gets its lifecycle and SourceBackupVaultArn; a copy between vaults of one server shares the
 * source's objects and outlives the source's deletion; StartCopyJob's refusals and a destination
 * lock that fails the job; and an incoming copy cut by a crash is discarded at restart, never left
 * CREATING or COMPLETED.
 */
class CopyJobsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ROLE = "arn:aws:iam::000000000000:role/backup";
  private static final String PEER_VAULT = "arn:aws:backup:eu-west-1:000000000000:backup-vault:dr";
  private static final String NEIGHBOUR = "222222222222";
  private static final String NEIGHBOUR_VAULT =
      "arn:aws:backup:us-east-1:" + NEIGHBOUR + ":backup-vault:dr";

  @TempDir Path dir;
  CoreFixture source;
  CoreFixture peer;
  ManagedBackups core;
  ManagedBackups peerCore;
  CopyReceiver peerReceiver;
  CopyJobs copies;
  Table orders;
  CoreFixture neighbour;
  ManagedBackups neighbourCore;
  VaultAccessPolicies neighbourPolicies;
  CopyReceiver neighbourReceiver;

  @BeforeEach
  void open() throws Exception {
    source = new CoreFixture(dir.resolve("scratch-a"));
    peer = new CoreFixture(dir.resolve("scratch-b"), "eu-west-1");
    orders = ManagedBackupsTest.table(source.db, "Orders", Map.of());
    for (int i = 0; i < 50; i++) {
      put(orders, "order-" + i);
    }
    core = new ManagedBackups(source.db, source.backups, source.clock::get);
    core.load();
    peerCore = new ManagedBackups(peer.db, peer.backups, peer.clock::get);
    peerCore.load();
    peerReceiver = receiver(peerCore);
    peerCore.createVault("dr", Map.of(), null, null);
    VaultAccessPolicies policies = new VaultAccessPolicies(core);
    copies =
        new CopyJobs(
            core, null, new CopyReceiver(core, policies, dir.resolve("spool-a")), loopback());
    copies.load();
  }

  private CopyReceiver receiver(ManagedBackups c) {
    VaultAccessPolicies p = new VaultAccessPolicies(c);
    p.load();
    CopyReceiver r = new CopyReceiver(c, p, dir.resolve("spool-b"));
    r.load();
    return r;
  }

  /**
   * The destinations this source reaches, as their copy endpoints serve signed requests: the peer
   * region "eu-west-1" for every account there (as {@code --peer} does), and account {@value
   * #NEIGHBOUR} in this region once {@link #neighbour} is open (as {@code --copy-peer} does).
   */
  private PeerChannel loopback() {
    return new PeerChannel() {
      private CopyReceiver receiver(Server to) {
        if (to.region().equals("eu-west-1")) {
          return peerReceiver;
        }
        return to.equals(new Server(NEIGHBOUR, "us-east-1")) ? neighbourReceiver : null;
      }

      @Override
      public boolean reaches(Server to) {
        return receiver(to) != null;
      }

      @Override
      public JsonNode call(Server to, String op, JsonNode body) {
        try {
          JsonNode wire = JSON.readTree(JSON.writeValueAsBytes(body));
          return CopyEndpoint.dispatch(receiver(to), op.substring(5), "us-east-1", wire);
        } catch (DynamoException e) {
          throw new Refused(e.error().typeName(), e.getMessage());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public JsonNode send(Server to, String op, byte[] frame, int signedLength) {
        assertThat(signedLength).isEqualTo(CopyFrame.signedLength(frame));
        try {
          return CopyEndpoint.frame(receiver(to), frame);
        } catch (DynamoException e) {
          throw new Refused(e.error().typeName(), e.getMessage());
        }
      }
    };
  }

  /** Opens the server of account {@value #NEIGHBOUR} in this region, with a vault "dr". */
  private void openNeighbour() throws Exception {
    neighbour = new CoreFixture(dir.resolve("scratch-c"), "us-east-1", NEIGHBOUR);
    neighbourCore = new ManagedBackups(neighbour.db, neighbour.backups, neighbour.clock::get);
    neighbourCore.load();
    neighbourPolicies = new VaultAccessPolicies(neighbourCore);
    neighbourPolicies.load();
    neighbourReceiver = new CopyReceiver(neighbourCore, neighbourPolicies, dir.resolve("spool-c"));
    neighbourReceiver.load();
    neighbourCore.createVault("dr", Map.of(), null, null);
  }

  @AfterEach
  void close() {
    copies.close();
    if (neighbour != null) {
      neighbourReceiver.close();
      neighbourCore.close();
      neighbour.close();
    }
    core.close();
    peerCore.close();
    source.close();
    peer.close();
  }

  private void put(Table t, String pk) {
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    item.put("pk", AttributeValue.s(pk));
    item.put("payload", AttributeValue.s("x".repeat(500) + pk));
    Map<String, AttributeValue> key = Map.of("pk", AttributeValue.s(pk));
    source
        .db
        .writePath()
        .commit(
            List.of(
                new WritePath.ItemWrite(
                    t, ItemKeys.storageKey(t.keySchema(), key), key, current -> item)),
            ChangeRecord.Origin.USER);
  }

  private RecoveryPoint backup(Lifecycle lifecycle) throws Exception {
    BackupJob j =
        core.startBackupJob(
            new ManagedBackups.BackupRequest(
                "Default",
                source.db.tableArn("Orders"),
                ROLE,
                null,
                60L,
                null,
                lifecycle,
                Map.of()));
    core.runOnce();
    long deadline = System.currentTimeMillis() + 10_000;
    while (!core.backupJob(j.id()).isFinished() && System.currentTimeMillis() < deadline) {
      Thread.sleep(5);
    }
    assertThat(core.backupJob(j.id()).state()).isEqualTo(BackupJob.COMPLETED);
    return core.point(j.recoveryPointArn());
  }

  private CopyJob copy(RecoveryPoint p, String destination, Lifecycle lifecycle) throws Exception {
    CopyJob j =
        copies.start(
            new CopyJobs.CopyRequest(p.arn(), "Default", destination, ROLE, null, lifecycle));
    long deadline = System.currentTimeMillis() + 10_000;
    while (!copies.job(j.id()).isFinished() && System.currentTimeMillis() < deadline) {
      Thread.sleep(5);
    }
    return copies.job(j.id());
  }

  @Test
  void aCopyToAPeerIsReEncryptedVerifiedAndKeepsItsCreationDate() throws Exception {
    RecoveryPoint p = backup(new Lifecycle(null, 35));
    source.clock.addAndGet(3_600_000);
    CopyJob j = copy(p, PEER_VAULT, new Lifecycle(null, 90));
    assertThat(j.state()).as(String.valueOf(j.statusMessage())).isEqualTo(CopyJob.COMPLETED);
    RecoveryPoint c = peerCore.point(j.destinationRecoveryPointArn());
    assertThat(c.vaultName()).isEqualTo("dr");
    assertThat(c.status()).isEqualTo(RecoveryPoint.COMPLETED);
    assertThat(c.creationMillis()).isEqualTo(p.creationMillis());
    assertThat(c.lifecycle()).isEqualTo(new Lifecycle(null, 90));
    assertThat(c.deleteAt()).isEqualTo(p.creationMillis() + 90 * 86_400_000L);
    assertThat(c.sourceBackupVaultArn()).isEqualTo(core.vaultArn("Default"));
    assertThat(c.resourceArn()).isEqualTo(p.resourceArn());
    BackupRecord r = peer.backups.find(c.backupArn()).orElseThrow();
    // Under the peer's own table id and master key (the fixtures' keys differ), and readable.
    assertThat(r.tableUuid()).startsWith("copy-");
    assertThat(peer.backups.verify(r).ok()).isTrue();
    Manifest m = peer.backups.repository().readManifest(r.manifestName());
    Manifest s =
        source
            .backups
            .repository()
            .readManifest(source.backups.find(p.backupArn()).orElseThrow().manifestName());
    assertThat(m.metadata().itemCount()).isEqualTo(50).isEqualTo(s.metadata().itemCount());
    assertThat(m.objects())
        .extracting(o -> o.sha256())
        .isEqualTo(s.objects().stream().map(o -> o.sha256()).toList());
    assertThat(m.dataKey().wrappingKeyId()).isNotEqualTo(s.dataKey().wrappingKeyId());
    // A restore on the peer makes the table again.
    RestoreJob restore =
        peerCore.startRestoreJob(c.arn(), Map.of("targetTableName", "OrdersCopy"), ROLE, null);
    long deadline = System.currentTimeMillis() + 10_000;
    while (!peerCore.restoreJob(restore.id()).status().matches("COMPLETED|FAILED")
        && System.currentTimeMillis() < deadline) {
      peerCore.runOnce();
      Thread.sleep(10);
    }
    assertThat(peerCore.restoreJob(restore.id()).status()).isEqualTo(RestoreJob.COMPLETED);
    // The same job again (as after a restart) answers with the same point.
    assertThat(peerReceiver.completed("us-east-1", "000000000000", j.id()).map(RecoveryPoint::arn))
        .contains(c.arn());
  }

  @Test
  void aLocalCopySharesTheObjectsAndOutlivesItsSource() throws Exception {
    RecoveryPoint p = backup(Lifecycle.NONE);
    core.createVault("local-dr", Map.of(), null, null);
    CopyJob j = copy(p, core.vaultArn("local-dr"), Lifecycle.NONE);
    assertThat(j.state()).as(String.valueOf(j.statusMessage())).isEqualTo(CopyJob.COMPLETED);
    RecoveryPoint c = core.point(j.destinationRecoveryPointArn());
    assertThat(c.vaultName()).isEqualTo("local-dr");
    core.deletePoint("Default", p.arn());
    BackupRecord r = source.backups.find(c.backupArn()).orElseThrow();
    assertThat(source.backups.verify(r).ok()).isTrue();
  }

  /**
   * Protects same-region cross-account copies: the other account's server (a copy peer) refuses the
   * copy while its vault's access policy does not allow this account, and files it once it does,
   * with the source's creation date, the requested lifecycle and SourceBackupVaultArn.
   */
  @Test
  void aCopyToAnotherAccountInThisRegionNeedsItsVaultPolicy() throws Exception {
    openNeighbour();
    RecoveryPoint p = backup(new Lifecycle(null, 35));
    source.clock.addAndGet(3_600_000);
    CopyJob refused = copy(p, NEIGHBOUR_VAULT, new Lifecycle(null, 90));
    assertThat(refused.state()).isEqualTo(CopyJob.FAILED);
    assertThat(refused.statusMessage())
        .startsWith(
            "Access denied: account 000000000000 is not authorized to perform"
                + " backup:CopyIntoBackupVault");
    assertThat(neighbourCore.points(x -> true)).isEmpty();
    neighbourPolicies.put(
        "dr",
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
            + "{\"AWS\":\"arn:aws:iam::000000000000:root\"},\"Action\":"
            + "\"backup:CopyIntoBackupVault\",\"Resource\":\"*\"}]}");
    CopyJob j = copy(p, NEIGHBOUR_VAULT, new Lifecycle(null, 90));
    assertThat(j.state()).as(String.valueOf(j.statusMessage())).isEqualTo(CopyJob.COMPLETED);
    RecoveryPoint c = neighbourCore.point(j.destinationRecoveryPointArn());
    assertThat(c.arn()).startsWith("arn:aws:backup:us-east-1:" + NEIGHBOUR + ":recovery-point:");
    assertThat(c.vaultName()).isEqualTo("dr");
    assertThat(c.status()).isEqualTo(RecoveryPoint.COMPLETED);
    assertThat(c.creationMillis()).isEqualTo(p.creationMillis());
    assertThat(c.lifecycle()).isEqualTo(new Lifecycle(null, 90));
    assertThat(c.sourceBackupVaultArn()).isEqualTo(core.vaultArn("Default"));
    assertThat(neighbour.backups.verify(neighbour.backups.find(c.backupArn()).orElseThrow()).ok())
        .isTrue();
  }

  @Test
  void refusalsAndALockedDestinationFailTheJob() throws Exception {
    RecoveryPoint p = backup(Lifecycle.NONE);
    assertThatThrownBy(() -> copy(p, core.vaultArn("Default"), Lifecycle.NONE))
        .hasMessage("The destination backup vault must differ from the source backup vault.");
    assertThatThrownBy(
            () -> copy(p, "arn:aws:backup:ap-south-1:000000000000:backup-vault:dr", Lifecycle.NONE))
        .isInstanceOf(DynamoException.class)
        .hasMessage(
            "The server of account 000000000000 in region ap-south-1, which holds"
                + " arn:aws:backup:ap-south-1:000000000000:backup-vault:dr, is not reachable from"
                + " this server: name it with --copy-peer 000000000000:ap-south-1=URL, or name a"
                + " server of its region for every account there with --peer ap-south-1=URL.");
    // Another account in this region is reached only through a copy peer named for it.
    assertThatThrownBy(
            () -> copy(p, "arn:aws:backup:us-east-1:333333333333:backup-vault:dr", Lifecycle.NONE))
        .isInstanceOf(DynamoException.class)
        .hasMessage(
            "The server of account 333333333333 in region us-east-1, which holds"
                + " arn:aws:backup:us-east-1:333333333333:backup-vault:dr, is not reachable from"
                + " this server: name it with --copy-peer 333333333333:us-east-1=URL.")
        .extracting(e -> ((DynamoException) e).error())
        .isEqualTo(dev.tidemark.errors.WireError.INVALID_PARAMETER_VALUE);
    assertThat(copies.jobs(j -> true)).isEmpty();
    assertThatThrownBy(() -> copy(p, "vault", Lifecycle.NONE))
        .hasMessageStartingWith("Invalid DestinationBackupVaultArn: vault.");
    assertThatThrownBy(() -> copy(p, core.vaultArn("nope"), Lifecycle.NONE))
        .hasMessage("Backup vault nope does not exist.");
    // A --peer (or --copy-peer) URL that names a server of another account never files the copy.
    CopyJob misdirected =
        copy(p, "arn:aws:backup:eu-west-1:222222222222:backup-vault:dr", Lifecycle.NONE);
    assertThat(misdirected.statusMessage())
        .isEqualTo(
            "Backup vault arn:aws:backup:eu-west-1:222222222222:backup-vault:dr is not on this"
                + " server (region eu-west-1, account 000000000000): check the source server's"
                + " --copy-peer (or --peer) URL for it.");
    peerCore.lockVault("dr", 100L, null, null);
    CopyJob locked = copy(p, PEER_VAULT, new Lifecycle(null, 35));
    assertThat(locked.state()).isEqualTo(CopyJob.FAILED);
    assertThat(locked.statusMessage())
        .isEqualTo(
            "The recovery point's retention (35 days) is outside the range backup vault dr's lock"
                + " allows (100 days minimum, no maximum).");
    assertThat(peerCore.points(x -> true)).isEmpty();
  }

  @Test
  void anIncomingCopyCutByACrashIsDiscardedAtRestart() throws Exception {
    RecoveryPoint p = backup(Lifecycle.NONE);
    CopyReceiver.Begun b = begin("JOB-1", p, manifest(p));
    assertThat(peerCore.points(x -> true))
        .extracting(RecoveryPoint::status)
        .containsExactly(RecoveryPoint.CREATING);
    assertThat(b.sessionId()).isNotNull();
    // The peer "restarts": its core and receiver are rebuilt from the same storage and store (the
    // old receiver's writer is closed first, as the end of a process releases it).
    peerReceiver.close();
    peerCore.close();
    peerCore = new ManagedBackups(peer.db, peer.backups, peer.clock::get);
    peerCore.load();
    peerReceiver = receiver(peerCore);
    assertThat(peerCore.points(x -> true)).isEmpty();
    assertThatThrownBy(() -> peerReceiver.commit(b.sessionId()))
        .hasMessageContaining("is not open on this server");
    // The source's retry (the same job) then completes it once.
    CopyJob j = copy(p, PEER_VAULT, Lifecycle.NONE);
    assertThat(j.state()).isEqualTo(CopyJob.COMPLETED);
    assertThat(peerCore.points(x -> true)).hasSize(1);
  }

  /** Opens a copy of {@code p} into the peer's vault, as a source's begin would. */
  private CopyReceiver.Begun begin(String jobId, RecoveryPoint p, Manifest m) {
    return peerReceiver.begin(
        new CopyReceiver.Offer(
            jobId,
            "us-east-1",
            "000000000000",
            core.vaultArn("Default"),
            p.arn(),
            PEER_VAULT,
            Lifecycle.NONE,
            p.resourceArn(),
            p.resourceName(),
            m));
  }

  private Manifest manifest(RecoveryPoint p) throws IOException {
    return source
        .backups
        .repository()
        .readManifest(source.backups.find(p.backupArn()).orElseThrow().manifestName());
  }

  private byte[] plaintext(Manifest m, int i) throws IOException {
    try (var in = source.backups.repository().openObject(m, m.objects().get(i))) {
      return in.readAllBytes();
    }
  }

  /**
   * Protects the parallel binary transfer: objects may arrive in any order, several at once and in
   * several frames, and a piece sent twice changes nothing; the copy's manifest still lists the
   * source's objects in the source's order, and it verifies and restores.
   */
  @Test
  void objectsArriveInAnyOrderSeveralAtOnceAndTheManifestKeepsTheSourcesOrder() throws Exception {
    for (int i = 0; i < 8000; i++) {
      put(orders, "bulk-" + i);
    }
    RecoveryPoint p = backup(Lifecycle.NONE);
    Manifest m = manifest(p);
    assertThat(m.objects()).hasSizeGreaterThan(1);
    CopyReceiver.Begun b = begin("JOB-ORDER", p, m);
    List<Integer> order = new java.util.ArrayList<>();
    int[] dup = CopyReceiver.duplicates(m.objects());
    for (int i = dup.length - 1; i >= 0; i--) {
      if (dup[i] < 0) {
        order.add(i);
      }
    }
    // Last object first, all of them at once; the first one sent in three frames.
    List<java.util.concurrent.CompletableFuture<Void>> sent = new java.util.ArrayList<>();
    for (int i : order) {
      byte[] data = plaintext(m, i);
      sent.add(
          java.util.concurrent.CompletableFuture.runAsync(
              () -> {
                int third = i == order.get(0) ? data.length / 3 : data.length;
                int offset = 0;
                while (true) {
                  int n = Math.min(third, data.length - offset);
                  boolean last = offset + n == data.length;
                  byte[] frame = CopyFrame.encode(b.sessionId(), i, offset, last, data, offset, n);
                  CopyEndpoint.frame(peerReceiver, frame);
                  if (offset == 0) {
                    CopyEndpoint.frame(peerReceiver, frame); // a retried piece
                  }
                  offset += n;
                  if (last) {
                    return;
                  }
                }
              }));
    }
    sent.forEach(java.util.concurrent.CompletableFuture::join);
    CopyReceiver.Done done = peerReceiver.commit(b.sessionId());
    RecoveryPoint c = peerCore.point(done.pointArn());
    assertThat(c.status()).isEqualTo(RecoveryPoint.COMPLETED);
    BackupRecord r = peer.backups.find(c.backupArn()).orElseThrow();
    assertThat(peer.backups.verify(r).ok()).isTrue();
    Manifest copied = peer.backups.repository().readManifest(r.manifestName());
    assertThat(copied.objects())
        .extracting(o -> o.sha256() + " " + o.label())
        .isEqualTo(m.objects().stream().map(o -> o.sha256() + " " + o.label()).toList());
    assertThat(copied.metadata().itemCount()).isEqualTo(8050);
  }

  /**
   * Protects what replaced the signature over frame bodies: a frame whose bytes are not its
   * object's (a replayed header with other bytes, a flipped bit) is refused before anything is
   * stored, the copy is abandoned, and the source's next attempt of the job completes.
   */
  @Test
  void aFrameWithOtherBytesIsRefusedBeforeAnythingIsStored() throws Exception {
    RecoveryPoint p = backup(Lifecycle.NONE);
    Manifest m = manifest(p);
    CopyReceiver.Begun b = begin("JOB-TAMPERED", p, m);
    byte[] data = plaintext(m, 0);
    data[data.length / 2] ^= 1;
    byte[] frame = CopyFrame.encode(b.sessionId(), 0, 0, true, data, 0, data.length);
    assertThatThrownBy(() -> CopyEndpoint.frame(peerReceiver, frame))
        .isInstanceOf(DynamoException.class)
        .hasMessage(
            "The copy was abandoned: object 0 arrived with other content than its source's"
                + " SHA-256.");
    String tableId = CopyReceiver.copyTableId("us-east-1", "000000000000", m.tableId());
    assertThat(
            peer.backups
                .repository()
                .store()
                .list(dev.tidemark.backup.BackupLayout.dataPrefix(tableId)))
        .isEmpty();
    assertThatThrownBy(() -> peerReceiver.commit(b.sessionId()))
        .hasMessageContaining("is not open on this server");
    // A malformed frame is refused as such.
    assertThatThrownBy(() -> CopyEndpoint.frame(peerReceiver, new byte[] {0, 0, 0, 9, '{'}))
        .hasMessage("Malformed copy frame.");
    CopyJob j = copy(p, PEER_VAULT, Lifecycle.NONE);
    assertThat(j.state()).as(String.valueOf(j.statusMessage())).isEqualTo(CopyJob.COMPLETED);
  }
}
