package dev.tidemark.replication;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A server that holds another account's vaults, which copy jobs may send recovery points to ({@code
 * --copy-peer ACCOUNT:REGION=URL}). Peer regions ({@code --peer}) are named by region alone, as
 * replication needs; a copy's destination is named by account and region, and on AWS the common
 * cross-account copy stays in one region, where no peer region can stand for the other account.
 *
 * @param account the 12-digit account id the server runs as ({@code --account} there)
 * @param region its region ({@code --region} there), possibly this server's own
 * @param url its base URL, {@code http://host:port} or {@code https://...}
 */
public record CopyPeer(String account, String region, URI url) {
  public CopyPeer {
    Objects.requireNonNull(account);
    Objects.requireNonNull(region);
    Objects.requireNonNull(url);
    if (!account.matches("\\d{12}")) {
      throw new IllegalArgumentException(
          "--copy-peer needs a 12-digit account id, not '" + account + "'");
    }
    // The same rule as --region, so that any region a server accepts can be named here.
    if (!region.matches("[a-z0-9-]+")) {
      throw new IllegalArgumentException(
          "--copy-peer needs a region that looks like us-east-1, not '" + region + "'");
    }
    String scheme = url.getScheme();
    if (!("http".equals(scheme) || "https".equals(scheme)) || url.getHost() == null) {
      throw new IllegalArgumentException(
          "--copy-peer "
              + account
              + ":"
              + region
              + " needs an http:// or https:// URL, not "
              + url);
    }
  }

  /** How messages and logs name it. */
  public String name() {
    return account + ":" + region;
  }

  /** One {@code ACCOUNT:REGION=URL} value. */
  public static CopyPeer parse(String spec) {
    int colon = spec.indexOf(':');
    int eq = spec.indexOf('=');
    if (colon <= 0 || eq <= colon + 1 || eq == spec.length() - 1) {
      throw new IllegalArgumentException(
          "--copy-peer takes ACCOUNT:REGION=URL, for example"
              + " 222222222222:us-east-1=http://10.0.0.3:8000, not '"
              + spec
              + "'");
    }
    URI url;
    try {
      url = new URI(spec.substring(eq + 1));
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException(
          "--copy-peer " + spec.substring(0, eq) + " has a malformed URL: " + e.getMessage());
    }
    return new CopyPeer(spec.substring(0, colon), spec.substring(colon + 1, eq), url);
  }

  /**
   * The values given on the command line, checked against each other and against this server's own
   * account and region (a copy to its own vaults never leaves it).
   */
  public static List<CopyPeer> parseAll(
      List<String> specs, String localAccount, String localRegion) {
    List<CopyPeer> out = new ArrayList<>();
    for (String spec : specs) {
      CopyPeer p = parse(spec);
      if (p.account().equals(localAccount) && p.region().equals(localRegion)) {
        throw new IllegalArgumentException(
            "--copy-peer "
                + p.name()
                + " names this server's own account and region (--account, --region): copies to"
                + " its own vaults need no peer");
      }
      for (CopyPeer q : out) {
        if (q.account().equals(p.account()) && q.region().equals(p.region())) {
          throw new IllegalArgumentException("--copy-peer " + p.name() + " is given twice");
        }
      }
      out.add(p);
    }
    return List.copyOf(out);
  }
}
