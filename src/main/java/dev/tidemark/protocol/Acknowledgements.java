package dev.tidemark.protocol;

import java.util.function.Consumer;

/**
 * Holds an answer back until the writes behind it are durable, without holding a thread for it. The
 * handler calls {@link #begin} on the thread that runs an action and {@link #end} right after it;
 * the writes the action made in between decide when {@code send} may run.
 */
public interface Acknowledgements {
  /** Starts recording, on this thread, what the action's writes need before they are answered. */
  void begin();

  /**
   * Stops recording and runs {@code send} once everything recorded is durable: at once when it
   * already is. When durability fails, {@code fail} runs instead and {@code send} never does.
   */
  void end(Runnable send, Consumer<RuntimeException> fail);

  /** For servers whose actions wait for durability themselves: answers go out at once. */
  Acknowledgements IMMEDIATE =
      new Acknowledgements() {
        @Override
        public void begin() {}

        @Override
        public void end(Runnable send, Consumer<RuntimeException> fail) {
          send.run();
        }
      };
}
