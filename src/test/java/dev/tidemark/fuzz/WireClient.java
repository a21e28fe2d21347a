package dev.tidemark.fuzz;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A deliberately bare HTTP/1.1 client over one keep-alive socket: it sends exactly the bytes it is
 * given (any header, any Content-Length, any body) and reports precisely how the server answered —
 * a response, a hang (read timeout) or a connection dropped before a whole response arrived.
 */
final class WireClient implements AutoCloseable {
  /** One HTTP exchange as the server framed it. */
  record Reply(int status, Map<String, String> headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    boolean closes() {
      return "close".equalsIgnoreCase(header("connection"));
    }
  }

  /** The server neither answered nor closed within the read timeout. */
  static final class HangException extends IOException {
    private static final long serialVersionUID = 1L;

    HangException(String message) {
      super(message);
    }
  }

  private final int port;
  private final int timeoutMillis;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  WireClient(int port, int timeoutMillis) {
    this.port = port;
    this.timeoutMillis = timeoutMillis;
  }

  private void connect() throws IOException {
    if (socket == null) {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(timeoutMillis);
      socket.setTcpNoDelay(true);
      in = new BufferedInputStream(socket.getInputStream(), 16384);
      out = socket.getOutputStream();
    }
  }

  /**
   * Sends {@code head} (request line and headers, ending with the blank line) and {@code body},
   * then reads one response. With {@code halfClose}, the write side is shut after sending, so a
   * server waiting for more body bytes sees end of stream; the connection is not reused after.
   */
  Reply exchange(byte[] head, byte[] body, boolean halfClose) throws IOException {
    connect();
    try {
      out.write(head);
      if (body.length > 0) {
        out.write(body);
      }
      out.flush();
    } catch (IOException writeFailed) {
      // The server may refuse early (413) and close while the body is still being sent; what
      // counts is whether its answer can still be read.
    }
    if (halfClose) {
      try {
        socket.shutdownOutput();
      } catch (IOException ignored) {
        // already closed by the server; the read below tells what happened
      }
    }
    Reply reply;
    try {
      reply = read();
      while (reply.status() >= 100 && reply.status() < 200) {
        reply = read(); // 100 Continue precedes the real answer
      }
    } catch (IOException e) {
      close();
      throw e;
    }
    if (halfClose || reply.closes()) {
      close();
    }
    return reply;
  }

  private Reply read() throws IOException {
    String statusLine;
    try {
      statusLine = line();
    } catch (SocketTimeoutException e) {
      throw new HangException("no response within " + timeoutMillis + " ms");
    }
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP response: " + statusLine);
    }
    int status = Integer.parseInt(parts[1]);
    Map<String, String> headers = new TreeMap<>();
    for (String l = line(); !l.isEmpty(); l = line()) {
      int colon = l.indexOf(':');
      headers.put(
          l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
    }
    byte[] body;
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      while (true) {
        int size = Integer.parseInt(line().split(";")[0].trim(), 16);
        if (size == 0) {
          while (!line().isEmpty()) {
            // trailers
          }
          break;
        }
        buf.write(readExactly(size));
        line();
      }
      body = buf.toByteArray();
    } else {
      body = readExactly(Integer.parseInt(headers.getOrDefault("content-length", "0")));
    }
    return new Reply(status, headers, body);
  }

  private byte[] readExactly(int n) throws IOException {
    byte[] b = in.readNBytes(n);
    if (b.length < n) {
      throw new IOException("connection closed after " + b.length + " of " + n + " body bytes");
    }
    return b;
  }

  private String line() throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new IOException("connection closed mid-response");
      }
      if (c != '\r') {
        buf.write(c);
      }
    }
    return buf.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // nothing to do
      }
      socket = null;
    }
  }
}
