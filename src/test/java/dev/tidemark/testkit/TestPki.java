package dev.tidemark.testkit;

import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for TLS tests: a CA certificate and server certificates it
 * signs for {@code localhost} and {@code 127.0.0.1}, written as PEM in the formats people have
 * (PKCS#8, PKCS#1 RSA, SEC1 EC), and trust managers that trust only the CA.
 */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

  /** A certificate and its key pair. */
  public record Issued(X509Certificate cert, KeyPair keys) {}

  private TestPki() {}

  public static KeyPair keyPair(String algorithm) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
    if (algorithm.equals("EC")) {
      g.initialize(new ECGenParameterSpec("secp256r1"));
    } else {
      g.initialize(2048);
    }
    return g.generateKeyPair();
  }

  public static Issued ca() throws Exception {
    KeyPair keys = keyPair("EC");
    X500Name name = new X500Name("CN=Tidemark Test CA");
    X509v3CertificateBuilder b = builder(name, name, keys, Duration.ofDays(1), Duration.ZERO);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    return new Issued(sign(b, keys), keys);
  }

  /** A server certificate for localhost and 127.0.0.1, valid now, with a new key. */
  public static Issued server(Issued ca, String keyAlgorithm) throws Exception {
    return server(ca, keyPair(keyAlgorithm), Duration.ofDays(1), Duration.ZERO);
  }

  /**
   * A server certificate valid from {@code now - backdate} for {@code validity}.
   *
   * @param backdate how far before now the certificate starts
   */
  public static Issued server(Issued ca, KeyPair keys, Duration validity, Duration backdate)
      throws Exception {
    X509v3CertificateBuilder b =
        builder(
            new X500Name(ca.cert().getSubjectX500Principal().getName()),
            new X500Name("CN=localhost"),
            keys,
            validity,
            backdate);
    b.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(GeneralName.dNSName, "localhost"),
              new GeneralName(GeneralName.iPAddress, "127.0.0.1")
            }));
    return new Issued(sign(b, ca.keys()), keys);
  }

  private static X509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, KeyPair keys, Duration validity, Duration backdate) {
    Instant start = Instant.now().minus(backdate).minusSeconds(60);
    return new JcaX509v3CertificateBuilder(
        issuer,
        BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(start),
        Date.from(start.plus(validity)),
        subject,
        keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) throws Exception {
    String alg =
        signer.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder(alg).build(signer.getPrivate())));
  }

  /** PEM of the objects, in order: certificates, or a private key in its traditional format. */
  public static String pem(Object... objects) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      for (Object o : objects) {
        w.writeObject(o);
      }
    }
    return out.toString();
  }

  /** A private key as PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
  public static String pkcs8(java.security.PrivateKey key) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(new JcaPKCS8Generator(key, null));
    }
    return out.toString();
  }

  /**
   * An EC private key in SEC1 form ({@code BEGIN EC PRIVATE KEY}) with its curve named inside, as
   * {@code openssl ecparam -genkey} writes it.
   */
  public static String sec1(java.security.PrivateKey key) throws IOException {
    var info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(key.getEncoded());
    var inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
    int bits = ((java.security.interfaces.ECPrivateKey) key).getParams().getOrder().bitLength();
    var full =
        new org.bouncycastle.asn1.sec.ECPrivateKey(
            bits,
            inner.getKey(),
            inner.getPublicKey(),
            info.getPrivateKeyAlgorithm().getParameters());
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(
          new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", full.getEncoded()));
    }
    return out.toString();
  }

  public static Path write(Path file, String text) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
      w.write(text);
    }
    return file;
  }

  /** Trust managers that trust this CA and nothing else. */
  public static TrustManager[] trusting(X509Certificate ca) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("ca", ca);
    TrustManagerFactory f =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    f.init(ks);
    return f.getTrustManagers();
  }
}
