package dev.tidemark.replication;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * POSTs to one peer over plain HTTP/1.1 on kept-alive connections, each exchange entirely on the
 * calling thread: one write of the request, blocking reads of the answer. It carries the shipping
 * of replicated writes ({@link ApplyFrame}s), which sends a small frame to every peer up to a
 * hundred times a second per link.
 *
 * <p><i>Why not {@code java.net.http.HttpClient}:</i> it passes every exchange between the caller,
 * its selector thread and its executor through chains of futures. On the bench machine (three
 * regions on two cores) its threads and the shipper's wait in it used about 90% of the CPU a region
 * spent on shipping, roughly 0.4 ms per request: as much as the peer then spent applying the
 * frame's records. Other peer calls (control messages, fills, copies, and every call to an {@code
 * https} peer) still use it; their rate is low.
 *
 * <p>A connection idle for longer than {@link #MAX_IDLE_NANOS} (well under the server's keep-alive
 * timeout) is closed rather than reused, and one the server has closed is noticed before reuse, so
 * that a request is not written into a dead connection (no request is ever sent twice here: a
 * failed exchange is the caller's to retry). {@link #close} also closes connections in use, which
 * ends a blocked read at once.
 */
final class PeerHttp implements AutoCloseable {
  private static final long MAX_IDLE_NANOS = 10_000_000_000L;
  private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
  private static final int MAX_LINE = 8192;

  /** A peer's answer: status, its {@link ClockSkew#HEADER} (null if absent) and body. */
  record Answer(int status, String clock, byte[] body) {}

  private final String host;
  private final int port;
  private final String hostHeader;
  private final Deque<Connection> idle = new ArrayDeque<>();
  private final Set<Connection> open = new HashSet<>();
  private boolean closed;

  PeerHttp(URI base) {
    if (!"http".equalsIgnoreCase(base.getScheme())) {
      throw new IllegalArgumentException("plain http only: " + base);
    }
    this.host = base.getHost();
    this.port = base.getPort() < 0 ? 80 : base.getPort();
    this.hostHeader = base.getPort() < 0 ? host : host + ":" + port;
  }

  /** Whether {@code base} is a peer this sender can reach (plain HTTP). */
  static boolean serves(URI base) {
    return "http".equalsIgnoreCase(base.getScheme()) && base.getHost() != null;
  }

  /**
   * POSTs {@code body} to {@code path} with the given headers (name, value pairs) and reads the
   * whole answer. {@code timeout} bounds the connect and every wait for the peer's next bytes.
   *
   * @throws IOException when the exchange failed; the connection is then closed
   */
  Answer post(String path, String[] headers, byte[] body, Duration timeout) throws IOException {
    Connection c = take();
    boolean reusable = false;
    try {
      c.channel
          .socket()
          .setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
      StringBuilder head = new StringBuilder(160 + path.length());
      head.append("POST ").append(path).append(" HTTP/1.1\r\nHost: ").append(hostHeader);
      for (int i = 0; i < headers.length; i += 2) {
        head.append("\r\n").append(headers[i]).append(": ").append(headers[i + 1]);
      }
      head.append("\r\nContent-Length: ").append(body.length).append("\r\n\r\n");
      c.out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      c.out.write(body);
      c.out.flush();
      Answer a = read(c);
      reusable = !c.closeAfter;
      return a;
    } finally {
      if (reusable) {
        give(c);
      } else {
        discard(c);
      }
    }
  }

  private Answer read(Connection c) throws IOException {
    int status;
    String clock = null;
    long length = -1;
    boolean chunked = false;
    do {
      String statusLine = line(c.in);
      // "HTTP/1.1 200 OK"
      if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
        throw new ProtocolException("not an HTTP answer: " + statusLine);
      }
      try {
        status = Integer.parseInt(statusLine.substring(9, 12));
      } catch (NumberFormatException e) {
        throw new ProtocolException("not an HTTP status: " + statusLine);
      }
      c.closeAfter = statusLine.startsWith("HTTP/1.0");
      for (String h = line(c.in); !h.isEmpty(); h = line(c.in)) {
        int colon = h.indexOf(':');
        if (colon <= 0) {
          throw new ProtocolException("malformed header: " + h);
        }
        String name = h.substring(0, colon).trim();
        String value = h.substring(colon + 1).trim();
        if (name.equalsIgnoreCase("Content-Length")) {
          try {
            length = Long.parseLong(value);
          } catch (NumberFormatException e) {
            throw new ProtocolException("malformed Content-Length: " + value);
          }
        } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
          chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        } else if (name.equalsIgnoreCase("Connection")) {
          c.closeAfter |= value.toLowerCase(Locale.ROOT).contains("close");
        } else if (name.equalsIgnoreCase(ClockSkew.HEADER)) {
          clock = value;
        }
      }
      // An interim answer (100 Continue, never asked for) is followed by the real one.
    } while (status >= 100 && status < 200);
    byte[] body;
    if (status == 204 || status == 304) {
      body = new byte[0];
    } else if (chunked) {
      body = chunks(c.in);
    } else if (length >= 0) {
      if (length > Integer.MAX_VALUE - 16) {
        throw new ProtocolException("answer too large: " + length);
      }
      body = c.in.readNBytes((int) length);
      if (body.length != length) {
        throw new EOFException("answer cut off after " + body.length + " of " + length + " bytes");
      }
    } else {
      // Delimited by the end of the connection.
      c.closeAfter = true;
      body = c.in.readAllBytes();
    }
    return new Answer(status, clock, body);
  }

  private static byte[] chunks(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      String size = line(in);
      int semi = size.indexOf(';');
      int n;
      try {
        n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
      } catch (NumberFormatException e) {
        throw new ProtocolException("malformed chunk size: " + size);
      }
      if (n < 0) {
        throw new ProtocolException("malformed chunk size: " + size);
      }
      if (n == 0) {
        while (!line(in).isEmpty()) {
          // trailers, ignored
        }
        return out.toByteArray();
      }
      byte[] chunk = in.readNBytes(n);
      if (chunk.length != n) {
        throw new EOFException("answer cut off inside a chunk");
      }
      out.write(chunk);
      if (!line(in).isEmpty()) {
        throw new ProtocolException("chunk not followed by CRLF");
      }
    }
  }

  /** One CRLF-terminated line, without the terminator. */
  private static String line(InputStream in) throws IOException {
    StringBuilder s = new StringBuilder(64);
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed by the peer");
      }
      if (b == '\n') {
        int n = s.length();
        return n > 0 && s.charAt(n - 1) == '\r' ? s.substring(0, n - 1) : s.toString();
      }
      if (s.length() >= MAX_LINE) {
        throw new ProtocolException("header line longer than " + MAX_LINE + " bytes");
      }
      s.append((char) b);
    }
  }

  /** An idle connection that is still open, or a new one. */
  private Connection take() throws IOException {
    while (true) {
      Connection c;
      synchronized (this) {
        if (closed) {
          throw new IOException("closed");
        }
        c = idle.pollFirst();
      }
      if (c == null) {
        break;
      }
      if (System.nanoTime() - c.idleSince < MAX_IDLE_NANOS && c.stillOpen()) {
        return c;
      }
      discard(c);
    }
    SocketChannel ch = SocketChannel.open();
    Connection c;
    try {
      ch.socket().setTcpNoDelay(true);
      ch.socket().connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
      c = new Connection(ch);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    synchronized (this) {
      if (closed) {
        ch.close();
        throw new IOException("closed");
      }
      open.add(c);
    }
    return c;
  }

  private void give(Connection c) {
    c.idleSince = System.nanoTime();
    synchronized (this) {
      if (!closed) {
        idle.addFirst(c);
        return;
      }
    }
    discard(c);
  }

  private void discard(Connection c) {
    synchronized (this) {
      open.remove(c);
    }
    c.close();
  }

  /** Closes every connection, idle or in use: a read blocked in {@link #post} fails at once. */
  @Override
  public void close() {
    Connection[] all;
    synchronized (this) {
      closed = true;
      all = open.toArray(new Connection[0]);
      open.clear();
      idle.clear();
    }
    for (Connection c : all) {
      c.close();
    }
  }

  private static final class Connection {
    final SocketChannel channel;
    final InputStream in;
    final OutputStream out;
    boolean closeAfter;
    long idleSince;

    Connection(SocketChannel channel) throws IOException {
      this.channel = channel;
      // The socket's streams honour its read timeout; the channel's own reads would not.
      this.in = new BufferedInputStream(channel.socket().getInputStream(), 8192);
      this.out = new BufferedOutputStream(channel.socket().getOutputStream(), 16384);
    }

    /**
     * False when the peer has closed it (or sent bytes nobody asked for): a look without waiting,
     * so that a request is never written into a connection the server already gave up.
     */
    boolean stillOpen() {
      try {
        if (in.available() > 0) {
          return false;
        }
        channel.configureBlocking(false);
        try {
          return channel.read(ByteBuffer.allocate(1)) == 0;
        } finally {
          channel.configureBlocking(true);
        }
      } catch (IOException e) {
        return false;
      }
    }

    void close() {
      try {
        channel.close();
      } catch (IOException e) {
        // Closing a connection that failed; nothing to add.
      }
    }
  }
}
