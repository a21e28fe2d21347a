package dev.tidemark.replication;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in peer for in-process shipping tests: checks each request's signature with {@link
 * InProcessRegion#SECRET}, keeps the body of each authentic one (and the reason for each refusal),
 * and answers success.
 */
final class RecordingPeer implements AutoCloseable {
  final List<byte[]> bodies = new CopyOnWriteArrayList<>();
  final List<String> refused = new CopyOnWriteArrayList<>();

  /** How long each answer waits: a slow peer, whose shipper falls behind the others. */
  volatile long delayMillis;

  private final HttpServer server;

  RecordingPeer() throws IOException {
    PeerAuth auth = new PeerAuth(InProcessRegion.SECRET);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          try {
            if (delayMillis > 0) {
              Thread.sleep(delayMillis);
            }
            auth.verify(
                exchange.getRequestHeaders().getFirst(PeerAuth.HEADER),
                System.currentTimeMillis(),
                exchange.getRequestURI().getRawPath(),
                body);
            bodies.add(body);
          } catch (PeerAuth.Refused e) {
            refused.add(e.getMessage());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] answer = "{}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, answer.length);
          exchange.getResponseBody().write(answer);
          exchange.close();
        });
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The storage keys of every record shipped so far, in the order they arrived. */
  List<ByteBuffer> shippedKeys() {
    List<ByteBuffer> keys = new ArrayList<>();
    for (byte[] body : bodies) {
      for (ApplyFrame.Shipped rec : ApplyFrame.decode(body).records()) {
        keys.add(ByteBuffer.wrap(rec.storageKey()));
      }
    }
    return keys;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
