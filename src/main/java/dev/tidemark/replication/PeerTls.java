package dev.tidemark.replication;

import dev.tidemark.protocol.TlsCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
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
   * BEGIN CERTIFICATE} blocks), read as {@code --tls-cert} is.
   *
   * @throws IllegalArgumentException when the file cannot be read or holds no certificate
   */
  public static SSLContext trusting(Path pemFile) {
    List<X509Certificate> certs = TlsCredentials.readCertificates(pemFile, "--peer-ca-file");
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int n = 0; n < certs.size(); n++) {
        store.setCertificateEntry("peer-ca-" + n, certs.get(n));
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
