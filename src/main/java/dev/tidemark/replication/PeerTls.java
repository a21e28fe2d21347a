package dev.tidemark.replication;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * What an {@code https} peer's certificate is checked against ({@code --peer-ca-file}): the
 * certificate authorities in a PEM file, and only those. Regions usually run a private CA of their
 * own; trusting it alongside every public CA would let any publicly issued certificate for a peer's
 * name stand in for the peer. (Authenticity of the traffic does not rest on TLS alone: every
 * request and answer is signed with the replication secret, {@link PeerAuth}; TLS adds secrecy of
 * the items that cross between regions.)
 */
public final class PeerTls {
  private PeerTls() {}

  /**
   * An SSL context that trusts exactly the certificates in {@code pemFile} (one or more {@code
   * BEGIN CERTIFICATE} blocks).
   *
   * @throws IllegalArgumentException when the file cannot be read or holds no certificate
   */
  public static SSLContext trusting(Path pemFile) {
    Collection<? extends Certificate> certs;
    try (InputStream in = Files.newInputStream(pemFile)) {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException e) {
      throw new IllegalArgumentException("--peer-ca-file " + pemFile + " cannot be read: " + e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "--peer-ca-file " + pemFile + " is not PEM certificates: " + e.getMessage());
    }
    if (certs.isEmpty()) {
      throw new IllegalArgumentException(
          "--peer-ca-file " + pemFile + " holds no certificate (BEGIN CERTIFICATE)");
    }
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int n = 0;
      for (Certificate c : certs) {
        store.setCertificateEntry("peer-ca-" + n++, c);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build the peers' trust from " + pemFile, e);
    }
  }
}
