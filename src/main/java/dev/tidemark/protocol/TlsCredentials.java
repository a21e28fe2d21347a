package dev.tidemark.protocol;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * The server's certificate chain and private key, read from PEM files ({@code --tls-cert}, {@code
 * --tls-key}) and checked before anything listens: a file that holds no certificate or no key, an
 * encrypted key, or a key that does not belong to the certificate is refused with a sentence naming
 * the file, rather than surfacing later as a handshake failure every client reports differently.
 *
 * <p>Keys may be PKCS#8 ({@code BEGIN PRIVATE KEY}, what {@code openssl genpkey} writes), PKCS#1
 * ({@code BEGIN RSA PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}); BouncyCastle's PEM reader
 * does the parsing, the JDK's providers hold the keys.
 *
 * @param chain the server certificate first, then any intermediates, as the file lists them
 * @param key the private key of {@code chain.get(0)}
 */
public record TlsCredentials(List<X509Certificate> chain, PrivateKey key) {
  public TlsCredentials {
    chain = List.copyOf(chain);
    Objects.requireNonNull(key);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("a TLS certificate chain needs at least one certificate");
    }
  }

  /**
   * Reads and cross-checks the two files.
   *
   * @throws IllegalArgumentException with a message an operator can act on
   */
  public static TlsCredentials load(Path certFile, Path keyFile) {
    List<X509Certificate> chain = readChain(certFile);
    PrivateKey key = readKey(keyFile);
    if (!belongTogether(key, chain.get(0).getPublicKey())) {
      throw new IllegalArgumentException(
          "the TLS key "
              + keyFile
              + " does not belong to the certificate "
              + certFile
              + " ("
              + chain.get(0).getSubjectX500Principal().getName()
              + "): its public key does not verify what the private key signs");
    }
    return new TlsCredentials(chain, key);
  }

  /** Why the certificate would be refused by clients today, or null when it is in date. */
  public String validityProblem(Date now) {
    X509Certificate leaf = chain.get(0);
    try {
      leaf.checkValidity(now);
      return null;
    } catch (CertificateExpiredException e) {
      return "the TLS certificate expired on " + leaf.getNotAfter().toInstant();
    } catch (CertificateNotYetValidException e) {
      return "the TLS certificate is not valid before " + leaf.getNotBefore().toInstant();
    }
  }

  /** A PKCS#12 key store in memory holding the key and chain, for Jetty's SslContextFactory. */
  KeyStore keyStore(char[] password) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(
          "tidemark", key, password, chain.toArray(new java.security.cert.Certificate[0]));
      return ks;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("could not hold the TLS key in a key store", e);
    }
  }

  private static List<X509Certificate> readChain(Path file) {
    return readCertificates(file, "the TLS certificate file");
  }

  /**
   * Every certificate in a PEM file, in file order; refused with a sentence naming {@code what}
   * (the file's role, such as an option) and the file when it cannot be read or holds none.
   */
  public static List<X509Certificate> readCertificates(Path file, String what) {
    List<X509Certificate> chain = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser pem = new PEMParser(in)) {
      Object o;
      while ((o = pem.readObject()) != null) {
        if (o instanceof X509CertificateHolder holder) {
          chain.add(converter.getCertificate(holder));
        }
      }
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(what + " " + file + " does not exist");
    } catch (IOException | CertificateException | RuntimeException e) {
      throw new IllegalArgumentException(
          what + " " + file + " is not readable PEM: " + e.getMessage(), e);
    }
    if (chain.isEmpty()) {
      throw new IllegalArgumentException(
          what
              + " "
              + file
              + " holds no certificate (expected PEM blocks '-----BEGIN CERTIFICATE-----')");
    }
    return chain;
  }

  private static PrivateKey readKey(Path file) {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser pem = new PEMParser(in)) {
      Object o;
      while ((o = pem.readObject()) != null) {
        if (o instanceof PEMKeyPair pair) {
          // SEC1 EC keys may omit their public half, so only the private part is converted.
          return converter.getPrivateKey(pair.getPrivateKeyInfo());
        }
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
          throw new IllegalArgumentException(
              "the TLS key file "
                  + file
                  + " is encrypted; give an unencrypted key (for example `openssl pkey -in"
                  + " KEY -out KEY.plain`) in an owner-only file");
        }
      }
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("the TLS key file " + file + " does not exist");
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException iae && iae.getMessage().startsWith("the TLS")) {
        throw iae;
      }
      throw new IllegalArgumentException(
          "the TLS key file " + file + " is not readable PEM: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException(
        "the TLS key file "
            + file
            + " holds no private key (expected PEM 'BEGIN PRIVATE KEY', 'BEGIN RSA PRIVATE KEY'"
            + " or 'BEGIN EC PRIVATE KEY')");
  }

  /** Signs random bytes with the private key and verifies them with the certificate's key. */
  private static boolean belongTogether(PrivateKey key, PublicKey certKey) {
    if (!key.getAlgorithm().equals(certKey.getAlgorithm())) {
      return false;
    }
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          default -> null;
        };
    if (algorithm == null) {
      throw new IllegalArgumentException(
          "TLS keys of type " + key.getAlgorithm() + " are not supported; use RSA or EC");
    }
    byte[] probe = new byte[32];
    new SecureRandom().nextBytes(probe);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
