package dev.tidemark.backup;

import java.io.IOException;

/** A manifest decrypted correctly but its JSON does not follow the manifest schema. */
public final class ManifestFormatException extends IOException {
  public ManifestFormatException(String manifestName, String detail) {
    super("manifest " + manifestName + " is malformed: " + detail);
  }
}
