package dev.tidemark.auth;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The administrator's access key, written where the operator can use it at once: an AWS CLI
 * credentials file with a {@code [tidemark-admin]} profile, so {@code
 * AWS_SHARED_CREDENTIALS_FILE=<file> aws --profile tidemark-admin ...} works. Owner-only
 * permissions; written under a temporary name, synced, then moved into place.
 */
public final class AdminCredentialsFile {
  public static final String PROFILE = "tidemark-admin";

  private AdminCredentialsFile() {}

  public static void write(Path file, String accessKeyId, String secret, String region)
      throws IOException {
    Path target = file.toAbsolutePath().normalize();
    Files.createDirectories(target.getParent());
    Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
    Files.deleteIfExists(temp);
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(
          temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(temp);
    }
    String text =
        "["
            + PROFILE
            + "]\n"
            + "aws_access_key_id = "
            + accessKeyId
            + "\n"
            + "aws_secret_access_key = "
            + secret
            + "\n"
            + "region = "
            + region
            + "\n";
    try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
      ch.force(true);
    }
    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
