package dev.tidemark.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.testkit.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protects the start-up checks of {@code --tls-cert}/{@code --tls-key}: every key format people
 * have is read (PKCS#8, PKCS#1 RSA, SEC1 EC), a chain keeps its order, and a wrong, missing,
 * encrypted or mismatched file is refused with a sentence naming it instead of a handshake failure.
 */
class TlsCredentialsTest {
  @TempDir Path dir;

  @Test
  void readsPkcs8Pkcs1AndSec1KeysWithTheirCertificates() throws Exception {
    TestPki.Issued ca = TestPki.ca();
    TestPki.Issued rsa = TestPki.server(ca, "RSA");
    TestPki.Issued ec = TestPki.server(ca, "EC");
    Path rsaChain = TestPki.write(dir.resolve("rsa.pem"), TestPki.pem(rsa.cert(), ca.cert()));
    Path ecCert = TestPki.write(dir.resolve("ec.pem"), TestPki.pem(ec.cert()));

    Path pkcs1 = TestPki.write(dir.resolve("rsa1.key"), TestPki.pem(rsa.keys().getPrivate()));
    assertThat(java.nio.file.Files.readString(pkcs1)).startsWith("-----BEGIN RSA PRIVATE KEY");
    Path rsa8 = TestPki.write(dir.resolve("rsa8.key"), TestPki.pkcs8(rsa.keys().getPrivate()));
    assertThat(java.nio.file.Files.readString(rsa8)).startsWith("-----BEGIN PRIVATE KEY");
    Path sec1 = TestPki.write(dir.resolve("ec1.key"), TestPki.sec1(ec.keys().getPrivate()));
    assertThat(java.nio.file.Files.readString(sec1)).startsWith("-----BEGIN EC PRIVATE KEY");
    Path ec8 = TestPki.write(dir.resolve("ec8.key"), TestPki.pkcs8(ec.keys().getPrivate()));

    for (Path key : new Path[] {pkcs1, rsa8}) {
      TlsCredentials c = TlsCredentials.load(rsaChain, key);
      assertThat(c.chain()).containsExactly(rsa.cert(), ca.cert());
      assertThat(c.key().getAlgorithm()).isEqualTo("RSA");
      assertThat(c.validityProblem(new Date())).isNull();
    }
    for (Path key : new Path[] {sec1, ec8}) {
      assertThat(TlsCredentials.load(ecCert, key).key().getAlgorithm()).isEqualTo("EC");
    }
  }

  @Test
  void refusesAKeyOfAnotherCertificate() throws Exception {
    TestPki.Issued ca = TestPki.ca();
    TestPki.Issued one = TestPki.server(ca, "EC");
    TestPki.Issued other = TestPki.server(ca, "EC");
    Path cert = TestPki.write(dir.resolve("c.pem"), TestPki.pem(one.cert()));
    Path key = TestPki.write(dir.resolve("k.pem"), TestPki.pkcs8(other.keys().getPrivate()));
    assertThatThrownBy(() -> TlsCredentials.load(cert, key))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the TLS key " + key + " does not belong to the certificate " + cert);
    // A key of another algorithm altogether.
    Path rsaKey =
        TestPki.write(dir.resolve("r.pem"), TestPki.pkcs8(TestPki.keyPair("RSA").getPrivate()));
    assertThatThrownBy(() -> TlsCredentials.load(cert, rsaKey))
        .hasMessageContaining("does not belong to the certificate");
  }

  @Test
  void refusesMissingSwappedEncryptedAndGarbageFiles() throws Exception {
    TestPki.Issued ca = TestPki.ca();
    TestPki.Issued s = TestPki.server(ca, "EC");
    Path cert = TestPki.write(dir.resolve("c.pem"), TestPki.pem(s.cert()));
    Path key = TestPki.write(dir.resolve("k.pem"), TestPki.pkcs8(s.keys().getPrivate()));
    Path garbage = TestPki.write(dir.resolve("g.pem"), "not a pem file\n");

    assertThatThrownBy(() -> TlsCredentials.load(dir.resolve("nope.pem"), key))
        .hasMessage("the TLS certificate file " + dir.resolve("nope.pem") + " does not exist");
    assertThatThrownBy(() -> TlsCredentials.load(cert, dir.resolve("nope.key")))
        .hasMessage("the TLS key file " + dir.resolve("nope.key") + " does not exist");
    // The two files given the wrong way round.
    assertThatThrownBy(() -> TlsCredentials.load(key, cert))
        .hasMessageContaining("the TLS certificate file " + key + " holds no certificate");
    assertThatThrownBy(() -> TlsCredentials.load(cert, garbage))
        .hasMessageContaining("the TLS key file " + garbage + " holds no private key");
    Path encrypted =
        TestPki.write(
            dir.resolve("enc.pem"),
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                + encryptedPkcs8(s)
                + "-----END ENCRYPTED PRIVATE KEY-----\n");
    assertThatThrownBy(() -> TlsCredentials.load(cert, encrypted))
        .hasMessageContaining("the TLS key file " + encrypted + " is encrypted");
  }

  @Test
  void saysWhenTheCertificateIsOutOfDate() throws Exception {
    TestPki.Issued ca = TestPki.ca();
    var keys = TestPki.keyPair("EC");
    TestPki.Issued expired = TestPki.server(ca, keys, Duration.ofDays(1), Duration.ofDays(3));
    Path cert = TestPki.write(dir.resolve("c.pem"), TestPki.pem(expired.cert()));
    Path key = TestPki.write(dir.resolve("k.pem"), TestPki.pkcs8(keys.getPrivate()));
    assertThat(TlsCredentials.load(cert, key).validityProblem(new Date()))
        .startsWith("the TLS certificate expired on ");
  }

  private static String encryptedPkcs8(TestPki.Issued s) throws Exception {
    var encryptor =
        new org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder(
                org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC)
            .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
            .setPassword("secret".toCharArray())
            .build();
    byte[] der =
        new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(s.keys().getPrivate(), encryptor)
            .generate()
            .getContent();
    return java.util.Base64.getMimeEncoder(
                64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
            .encodeToString(der)
        + "\n";
  }
}
