package dev.tidemark.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.Authenticator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Serving on the selector thread: protects that a request whose body is still in flight never
 * blocks a selector (other connections keep being answered), and that an answer goes out only when
 * {@link Acknowledgements} releases it, which is what keeps sync-mode writes unacknowledged until
 * they are durable.
 */
class InlineServingTest {

  private static String head(String target, int length) {
    return "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
        + "X-Amz-Target: DynamoDB_20120810."
        + target
        + "\r\nContent-Length: "
        + length
        + "\r\n\r\n";
  }

  private static JsonNode json(RawHttp.Reply reply) throws Exception {
    return Json.MAPPER.readTree(reply.body());
  }

  @Test
  void aBodyStillInFlightDoesNotHoldUpOtherConnections() throws Exception {
    try (HttpServer server = new HttpServer(TestActions.operations(), "us-east-1", () -> "rid")) {
      int port = server.start("127.0.0.1", 0);
      byte[] body = "{\"half\":\"one\",\"other\":\"two\"}".getBytes(StandardCharsets.UTF_8);
      try (RawHttp slow = new RawHttp(port)) {
        // Headers and half the body: the rest arrives only after the others were answered.
        slow.send(head("EchoInline", body.length), java.util.Arrays.copyOf(body, 10));
        List<RawHttp> others = new ArrayList<>();
        try {
          for (int i = 0; i < 6; i++) {
            RawHttp c = new RawHttp(port);
            others.add(c);
            byte[] b = ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
            c.send(head("EchoInline", b.length), b);
            RawHttp.Reply r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(json(r).path("Request").path("n").asInt()).isEqualTo(i);
          }
        } finally {
          for (RawHttp c : others) {
            c.close();
          }
        }
        slow.send("", java.util.Arrays.copyOfRange(body, 10, body.length));
        RawHttp.Reply r = slow.read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(json(r).path("Request").path("other").asText()).isEqualTo("two");
      }
    }
  }

  /** Holds every answer until the test releases (or fails) it. */
  private static final class HeldAcknowledgements implements Acknowledgements {
    final CompletableFuture<Runnable> send = new CompletableFuture<>();
    final CompletableFuture<Consumer<RuntimeException>> fail = new CompletableFuture<>();

    @Override
    public void begin() {}

    @Override
    public void end(Runnable send, Consumer<RuntimeException> fail) {
      this.send.complete(send);
      this.fail.complete(fail);
    }
  }

  private static HttpServer server(Acknowledgements acks) {
    return new HttpServer(
        TestActions.operations(),
        () -> "rid",
        Authenticator.acceptAnyCredentials("us-east-1"),
        HttpServer.Limits.defaults(),
        acks);
  }

  @Test
  void anAnswerWaitsUntilAcknowledgementsReleaseIt() throws Exception {
    HeldAcknowledgements acks = new HeldAcknowledgements();
    try (HttpServer server = server(acks)) {
      int port = server.start("127.0.0.1", 0);
      try (RawHttp c = new RawHttp(port)) {
        byte[] b = "{\"k\":1}".getBytes(StandardCharsets.UTF_8);
        c.send(head("EchoInline", b.length), b);
        Runnable send = acks.send.get(10, TimeUnit.SECONDS);
        assertThat(c.readsNothingFor(200)).isTrue();
        send.run();
        RawHttp.Reply r = c.read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(json(r).path("Request").path("k").asInt()).isEqualTo(1);
      }
    }
  }

  @Test
  void whenDurabilityFailsTheClientGetsAnInternalErrorNotTheAnswer() throws Exception {
    HeldAcknowledgements acks = new HeldAcknowledgements();
    try (HttpServer server = server(acks)) {
      int port = server.start("127.0.0.1", 0);
      try (RawHttp c = new RawHttp(port)) {
        byte[] b = "{\"k\":1}".getBytes(StandardCharsets.UTF_8);
        c.send(head("EchoInline", b.length), b);
        acks.fail.get(10, TimeUnit.SECONDS).accept(new IllegalStateException("sync failed"));
        RawHttp.Reply r = c.read();
        assertThat(r.status()).isEqualTo(500);
        assertThat(json(r).path("__type").asText()).endsWith("#InternalServerError");
        assertThat(r.text()).doesNotContain("\"k\"");
      }
    }
  }
}
