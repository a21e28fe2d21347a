package dev.tidemark.backup;

/**
 * Where everything lives in the object store. Manifests and data sit under different top-level
 * prefixes so that listing every backup (what a fresh server does, design I3) never walks data
 * objects.
 *
 * <pre>
 * manifests/&lt;tableId&gt;/&lt;backupId&gt;     encrypted manifest; the backup exists iff this does
 * tables/&lt;tableId&gt;/key                  the table's wrapped data key (cleartext JSON)
 * tables/&lt;tableId&gt;/data/&lt;contentId&gt;   encrypted, content-addressed data objects
 * </pre>
 *
 * {@code tables/<tableId>/data/} is owned by the backup garbage collector: anything there that no
 * manifest under {@code manifests/<tableId>/} references may be deleted. Other subsystems (PITR
 * segments) must use other prefixes, and a PITR base snapshot that shares data objects must have
 * its manifest under {@code manifests/<tableId>/}.
 */
public final class BackupLayout {
  public static final String MANIFESTS = "manifests/";
  public static final String TABLES = "tables/";

  private BackupLayout() {}

  public static String manifestName(String tableId, String backupId) {
    return MANIFESTS + checkId(tableId, "table id") + "/" + checkId(backupId, "backup id");
  }

  public static String manifestPrefix(String tableId) {
    return MANIFESTS + checkId(tableId, "table id") + "/";
  }

  public static String tableKeyName(String tableId) {
    return TABLES + checkId(tableId, "table id") + "/key";
  }

  public static String dataPrefix(String tableId) {
    return TABLES + checkId(tableId, "table id") + "/data/";
  }

  public static String dataObjectName(String tableId, String contentId) {
    return dataPrefix(tableId) + checkId(contentId, "content id");
  }

  /** The table and backup a manifest name denotes. */
  public record ManifestId(String tableId, String backupId) {
    public ManifestId {
      checkId(tableId, "table id");
      checkId(backupId, "backup id");
    }

    public String manifestName() {
      return BackupLayout.manifestName(tableId, backupId);
    }
  }

  public static ManifestId parseManifestName(String name) {
    if (name == null || !name.startsWith(MANIFESTS)) {
      throw new IllegalArgumentException("not a manifest name: " + name);
    }
    String rest = name.substring(MANIFESTS.length());
    int slash = rest.indexOf('/');
    if (slash < 0 || rest.indexOf('/', slash + 1) >= 0) {
      throw new IllegalArgumentException("not a manifest name: " + name);
    }
    return new ManifestId(rest.substring(0, slash), rest.substring(slash + 1));
  }

  /** Ids are path segments: DynamoDB's name alphabet, 1 to 255 characters, no leading dot. */
  static String checkId(String id, String what) {
    if (id == null || id.isEmpty() || id.length() > 255 || id.startsWith(".")) {
      throw new IllegalArgumentException("invalid " + what + ": " + id);
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '.'
          || c == '_'
          || c == '-')) {
        throw new IllegalArgumentException("invalid " + what + " (allowed: [a-zA-Z0-9_.-]): " + id);
      }
    }
    return id;
  }
}
