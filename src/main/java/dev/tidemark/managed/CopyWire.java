package dev.tidemark.managed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.backup.Manifest;
import dev.tidemark.backup.ManifestCodec;
import dev.tidemark.backup.crypto.WrappedKey;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.io.IOException;

/**
 * The copy offer as it travels between servers: who offers which point into which vault, and the
 * source manifest in the backup format's JSON (docs/backup-format.md §5) with its wrapped data key
 * replaced by a placeholder, since the destination writes under a data key of its own and must
 * never receive the source's.
 */
public final class CopyWire {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Fills the manifest's dataKey field, which the codec requires; never unwrapped. */
  private static final WrappedKey PLACEHOLDER =
      new WrappedKey("0000000000000000", "0000000000000000", new byte[60]);

  private CopyWire() {}

  public static ObjectNode offer(CopyReceiver.Offer o) {
    ObjectNode n = JSON.createObjectNode();
    n.put("CopyJobId", o.copyJobId());
    n.put("SourceRegion", o.sourceRegion());
    n.put("SourceAccount", o.sourceAccount());
    n.put("SourceBackupVaultArn", o.sourceVaultArn());
    n.put("SourceRecoveryPointArn", o.sourcePointArn());
    n.put("DestinationBackupVaultArn", o.destinationVaultArn());
    if (o.lifecycle().moveToColdStorageAfterDays() != null) {
      n.put("MoveToColdStorageAfterDays", o.lifecycle().moveToColdStorageAfterDays());
    }
    if (o.lifecycle().deleteAfterDays() != null) {
      n.put("DeleteAfterDays", o.lifecycle().deleteAfterDays());
    }
    n.put("ResourceArn", o.resourceArn());
    n.put("ResourceName", o.resourceName());
    Manifest m = o.manifest();
    Manifest keyless =
        new Manifest(
            m.formatVersion(),
            m.backupId(),
            m.metadata(),
            PLACEHOLDER,
            m.objects(),
            m.incremental());
    try {
      n.set("Manifest", JSON.readTree(ManifestCodec.encode(keyless)));
    } catch (IOException e) {
      throw new IllegalStateException("a manifest always encodes", e);
    }
    return n;
  }

  /**
   * The offer a peer sent; {@code from} is the region its signature authenticated, which must be
   * the one it names.
   */
  public static CopyReceiver.Offer offer(JsonNode n, String from) {
    String region = text(n, "SourceRegion");
    if (!region.equals(from)) {
      throw new DynamoException(
          WireError.ACCESS_DENIED, "Region " + from + " may not offer copies as " + region + ".");
    }
    Manifest m;
    try {
      m = ManifestCodec.decode(JSON.writeValueAsBytes(n.get("Manifest")), "copy offer");
    } catch (IOException e) {
      throw new DynamoException(WireError.VALIDATION, "Malformed copy offer: " + e.getMessage());
    }
    return new CopyReceiver.Offer(
        text(n, "CopyJobId"),
        region,
        text(n, "SourceAccount"),
        text(n, "SourceBackupVaultArn"),
        text(n, "SourceRecoveryPointArn"),
        text(n, "DestinationBackupVaultArn"),
        new Lifecycle(
            n.hasNonNull("MoveToColdStorageAfterDays")
                ? n.get("MoveToColdStorageAfterDays").asInt()
                : null,
            n.hasNonNull("DeleteAfterDays") ? n.get("DeleteAfterDays").asInt() : null),
        text(n, "ResourceArn"),
        text(n, "ResourceName"),
        m);
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new DynamoException(WireError.VALIDATION, "Malformed copy offer: no " + field + ".");
    }
    return v.asText();
  }
}
