package dev.tidemark.cli;

import dev.tidemark.protocol.Acknowledgements;
import dev.tidemark.tables.WritePath;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Joins the HTTP handler to the write path: an answer to a request that wrote goes out when the
 * write path's sync thread has made those writes durable, and no request thread waits meanwhile.
 */
public final class DurableAcknowledgements implements Acknowledgements {
  private final WritePath writePath;

  public DurableAcknowledgements(WritePath writePath) {
    this.writePath = Objects.requireNonNull(writePath);
  }

  @Override
  public void begin() {
    writePath.deferDurability();
  }

  @Override
  public void end(Runnable send, Consumer<RuntimeException> fail) {
    writePath.whenDurable(writePath.endDeferral(), send, fail);
  }
}
