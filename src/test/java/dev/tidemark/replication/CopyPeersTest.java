package dev.tidemark.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.managed.PeerChannel;
import dev.tidemark.managed.PeerChannel.Server;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Protects how a copy's destination (account, region) finds its server: a copy peer named for
 * exactly it first, otherwise the peer of another region; never a peer region for another account
 * of this server's own region, and nothing without the secret.
 */
class CopyPeersTest {
  private static final byte[] SECRET =
      "a-replication-secret-of-32-bytes".getBytes(StandardCharsets.UTF_8);

  private static ReplicationConfig config(List<String> copyPeers) {
    return new ReplicationConfig(Map.of("eu-west-1", URI.create("http://127.0.0.1:1")), SECRET)
        .withCopyPeers(CopyPeer.parseAll(copyPeers, "111111111111", "us-east-1"));
  }

  @Test
  void anExactCopyPeerFirstThenThePeerOfAnotherRegion() {
    PeerChannel c =
        new CopyPeers(
            config(
                List.of(
                    "222222222222:us-east-1=http://127.0.0.1:2",
                    "333333333333:ap-south-1=https://backup.example:8443")),
            "us-east-1",
            System::currentTimeMillis);
    assertThat(c.reaches(new Server("222222222222", "us-east-1"))).isTrue();
    assertThat(c.reaches(new Server("333333333333", "ap-south-1"))).isTrue();
    // Another region's peer answers for every account there.
    assertThat(c.reaches(new Server("444444444444", "eu-west-1"))).isTrue();
    assertThat(c.reaches(new Server("111111111111", "eu-west-1"))).isTrue();
    // This region's other accounts only through a copy peer; other regions only with a peer.
    assertThat(c.reaches(new Server("333333333333", "us-east-1"))).isFalse();
    assertThat(c.reaches(new Server("222222222222", "ap-south-1"))).isFalse();
    assertThatThrownBy(() -> c.call(new Server("333333333333", "us-east-1"), "copy/begin", null))
        .isInstanceOf(PeerChannel.Unavailable.class)
        .hasMessage("no --copy-peer or --peer names account 333333333333 in us-east-1");
  }

  @Test
  void copyPeersAreCheckedAgainstEachOtherThisServerAndTheSecret() {
    assertThat(CopyPeer.parse("222222222222:us-east-1=http://10.0.0.3:8000"))
        .isEqualTo(new CopyPeer("222222222222", "us-east-1", URI.create("http://10.0.0.3:8000")));
    assertThatThrownBy(() -> config(List.of("111111111111:us-east-1=http://127.0.0.1:2")))
        .hasMessage(
            "--copy-peer 111111111111:us-east-1 names this server's own account and region"
                + " (--account, --region): copies to its own vaults need no peer");
    // Its own account in another region is another server.
    assertThat(config(List.of("111111111111:eu-west-1=http://127.0.0.1:2")).copyPeers()).hasSize(1);
    assertThatThrownBy(
            () ->
                config(
                    List.of(
                        "222222222222:us-east-1=http://127.0.0.1:2",
                        "222222222222:us-east-1=http://127.0.0.1:3")))
        .hasMessage("--copy-peer 222222222222:us-east-1 is given twice");
    assertThatThrownBy(
            () ->
                new ReplicationConfig(Map.of(), null)
                    .withCopyPeers(
                        List.of(CopyPeer.parse("222222222222:us-east-1=http://127.0.0.1:2"))))
        .hasMessage(
            "--copy-peer needs --replication-secret-file: copies between servers are signed with"
                + " it");
  }

  @Test
  void malformedValuesAreRefusedWithWhatIsExpected() {
    assertThatThrownBy(() -> CopyPeer.parse("us-east-1=http://127.0.0.1:2"))
        .hasMessageStartingWith("--copy-peer takes ACCOUNT:REGION=URL, for example");
    assertThatThrownBy(() -> CopyPeer.parse("222222222222:us-east-1="))
        .hasMessageStartingWith("--copy-peer takes ACCOUNT:REGION=URL");
    assertThatThrownBy(() -> CopyPeer.parse("2222:us-east-1=http://127.0.0.1:2"))
        .hasMessage("--copy-peer needs a 12-digit account id, not '2222'");
    assertThatThrownBy(() -> CopyPeer.parse("222222222222:US_EAST=http://127.0.0.1:2"))
        .hasMessage("--copy-peer needs a region that looks like us-east-1, not 'US_EAST'");
    assertThatThrownBy(() -> CopyPeer.parse("222222222222:us-east-1=ftp://127.0.0.1:2"))
        .hasMessage(
            "--copy-peer 222222222222:us-east-1 needs an http:// or https:// URL, not"
                + " ftp://127.0.0.1:2");
    assertThatThrownBy(() -> CopyPeer.parse("222222222222:us-east-1=http://a b"))
        .hasMessageStartingWith("--copy-peer 222222222222:us-east-1 has a malformed URL");
  }
}
