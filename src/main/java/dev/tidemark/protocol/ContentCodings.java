package dev.tidemark.protocol;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.Inflater;

/**
 * HTTP content codings of request and response bodies, as DynamoDB handles them: {@code gzip} and
 * {@code deflate} (the zlib format of RFC 1950) both ways.
 *
 * <p>Nothing here runs for a plain request: the pipeline calls {@link #decode} only when a {@code
 * Content-Encoding} header is present, and {@link #negotiate} only for a response body large enough
 * to be compressed.
 */
final class ContentCodings {
  /**
   * DynamoDB compresses a response only when its body is larger than about 4 KiB; smaller bodies
   * stay plain whatever the client accepts.
   */
  static final int RESPONSE_THRESHOLD_BYTES = 4096;

  /** A coding this server can apply to a response. */
  enum Coding {
    GZIP("gzip"),
    DEFLATE("deflate");

    final String token;

    Coding(String token) {
      this.token = token;
    }
  }

  private ContentCodings() {}

  /**
   * The body a client compressed, decoded. DynamoDB answers an unknown coding and a body that does
   * not decode (not the coding's format, truncated, empty) with a 500 internal failure and runs
   * nothing; a decoded body past the request size limit is refused as too large, and inflating
   * stops there rather than expanding a small bomb in memory.
   *
   * @param contentEncoding the header's value, not null
   */
  static byte[] decode(String contentEncoding, byte[] body, long maxBytes) {
    String coding = contentEncoding.strip().toLowerCase(Locale.ROOT);
    int limit = (int) Math.min(maxBytes, Integer.MAX_VALUE - 8);
    switch (coding) {
      case "gzip":
        return gunzip(body, limit);
      case "deflate":
        return inflate(body, limit);
      case "identity", "":
        return body;
      default:
        throw undecodable(
            "Unsupported Content-Encoding '"
                + (coding.length() <= 40 ? coding : coding.substring(0, 40) + "...")
                + "'.");
    }
  }

  // Concatenated members form one body (GZIPInputStream reads on past each member's trailer);
  // bytes after the last member that do not start another member are ignored, as on DynamoDB.
  private static byte[] gunzip(byte[] body, int limit) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body), 8192)) {
      return readCapped(in, limit, body.length);
    } catch (IOException e) {
      throw undecodable("The request body is not valid gzip data.");
    }
  }

  private static byte[] readCapped(GZIPInputStream in, int limit, int hint) throws IOException {
    byte[] out = new byte[Math.max(1024, Math.min(limit + 1, hint * 4))];
    int filled = 0;
    while (true) {
      if (filled == out.length) {
        if (filled > limit) {
          throw tooLarge(limit);
        }
        out = Arrays.copyOf(out, (int) Math.min((long) limit + 1, 2L * out.length));
      }
      int n = in.read(out, filled, out.length - filled);
      if (n < 0) {
        break;
      }
      filled += n;
      if (filled > limit) {
        throw tooLarge(limit);
      }
    }
    return Arrays.copyOf(out, filled);
  }

  // One zlib stream exactly: trailing bytes (a second stream, junk) are refused, as DynamoDB does.
  private static byte[] inflate(byte[] body, int limit) {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(body);
      byte[] out = new byte[Math.max(1024, Math.min(limit + 1, body.length * 4))];
      int filled = 0;
      while (!inflater.finished()) {
        if (filled == out.length) {
          if (filled > limit) {
            throw tooLarge(limit);
          }
          out = Arrays.copyOf(out, (int) Math.min((long) limit + 1, 2L * out.length));
        }
        int n = inflater.inflate(out, filled, out.length - filled);
        filled += n;
        if (filled > limit) {
          throw tooLarge(limit);
        }
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw undecodable("The request body is not valid deflate (zlib) data.");
        }
      }
      if (inflater.getRemaining() > 0) {
        throw undecodable("The request body has data after its deflate (zlib) stream.");
      }
      return Arrays.copyOf(out, filled);
    } catch (DataFormatException e) {
      throw undecodable("The request body is not valid deflate (zlib) data.");
    } finally {
      inflater.end();
    }
  }

  private static DynamoException undecodable(String detail) {
    return new DynamoException(
        WireError.INTERNAL_SERVER_ERROR, "The request body could not be decoded: " + detail);
  }

  private static DynamoException tooLarge(int limit) {
    return new DynamoException(
        WireError.REQUEST_TOO_LARGE,
        "Request body must be at most " + limit + " bytes once decompressed.");
  }

  /**
   * The coding to answer with, or null for a plain body: content negotiation over {@code
   * Accept-Encoding} (RFC 9110 12.5.3) as DynamoDB does it. The highest quality wins, a tie goes to
   * the coding named first, {@code *} stands for any coding not named (gzip before deflate) and
   * wins only with a strictly higher quality, {@code identity} is ignored, a quality of 0 (or
   * below) refuses a coding, one above 1 counts as 1, and an unreadable quality counts as 1. Tokens
   * that are not a coding (quoted, with spaces inside, misspelt) are ignored.
   */
  static Coding negotiate(String acceptEncoding) {
    if (acceptEncoding == null || acceptEncoding.isEmpty()) {
      return null;
    }
    double[] quality = {-1, -1}; // per Coding ordinal; -1 = not named
    int[] position = {Integer.MAX_VALUE, Integer.MAX_VALUE};
    double wildcard = -1;
    int index = 0;
    for (String element : acceptEncoding.split(",")) {
      int semicolon = element.indexOf(';');
      String token =
          (semicolon < 0 ? element : element.substring(0, semicolon))
              .strip()
              .toLowerCase(Locale.ROOT);
      double q = semicolon < 0 ? 1 : quality(element.substring(semicolon + 1));
      Coding coding =
          switch (token) {
            case "gzip" -> Coding.GZIP;
            case "deflate" -> Coding.DEFLATE;
            default -> null;
          };
      if (coding != null) {
        int i = coding.ordinal();
        quality[i] = Math.max(quality[i], q);
        position[i] = Math.min(position[i], index);
      } else if (token.equals("*")) {
        wildcard = Math.max(wildcard, q);
      }
      index++;
    }
    Coding best = null;
    double bestQ = 0;
    for (Coding c : Coding.values()) {
      int i = c.ordinal();
      boolean better =
          quality[i] > bestQ
              || (best != null && quality[i] == bestQ && position[i] < position[best.ordinal()]);
      if (better && quality[i] > 0) {
        best = c;
        bestQ = quality[i];
      }
    }
    for (Coding c : Coding.values()) {
      if (quality[c.ordinal()] < 0 && wildcard > bestQ) {
        return c;
      }
    }
    return best;
  }

  // The first q parameter counts; later ones and other parameters are ignored.
  private static double quality(String parameters) {
    for (String parameter : parameters.split(";")) {
      int equals = parameter.indexOf('=');
      if (equals < 0 || !parameter.substring(0, equals).strip().equalsIgnoreCase("q")) {
        continue;
      }
      try {
        double q = Double.parseDouble(parameter.substring(equals + 1).strip());
        return Double.isNaN(q) ? 1 : Math.max(0, Math.min(1, q));
      } catch (NumberFormatException unreadable) {
        return 1;
      }
    }
    return 1;
  }

  /** The body in {@code coding}; the caller sends these bytes and their CRC32. */
  static byte[] encode(Coding coding, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(256, body.length / 4));
    try {
      if (coding == Coding.GZIP) {
        try (GZIPOutputStream gzip = new GZIPOutputStream(out, 8192)) {
          gzip.write(body);
        }
      } else {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
        try (DeflaterOutputStream zlib = new DeflaterOutputStream(out, deflater, 8192)) {
          zlib.write(body);
        } finally {
          deflater.end();
        }
      }
    } catch (IOException e) {
      // Writing to memory does not fail.
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
