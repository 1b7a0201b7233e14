package io.fluxsocket.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The message-mode sends ({@link MessageSend}) that an {@link Outbound} takes messages from, in the
 * order they started. Each drain of the outbound side asks the publishers that stopped for lack of
 * room to go on ({@link #resume}) and moves the messages they gave into its queue ({@link #take}, also
 * as a message's last write completes); a send leaves once it takes no more. {@code close()} stops them all ({@link #stop}), a connection
 * that can send no more fails them all ({@link #terminate}), and either leaves none. The outbound
 * side makes one when the first message-mode send starts (a stream-mode connection has none).
 *
 * <p>Confined to the event loop.
 */
final class MessageSources {

    /** The sends taking messages, oldest first (event loop). */
    private final List<MessageSend> sends = new ArrayList<>(2);

    /** Takes messages from {@code send} from now on. */
    void add(MessageSend send) {
        sends.add(send);
    }

    /** Whether no send takes messages. */
    boolean isEmpty() {
        return sends.isEmpty();
    }

    /** Asks each publisher that stopped for lack of room for its next message, if there is room now. */
    void resume() {
        for (MessageSend s : sends) {
            s.resume();
        }
    }

    /**
     * Moves the messages each publisher gave into the outbound queue ({@link MessageSend#take});
     * a send that takes no more (it ended, or failed) leaves. Ends early if the connection stopped
     * or failed the sends meanwhile: that leaves none.
     */
    void take() {
        for (int i = 0; i < sends.size(); ) {
            MessageSend s = sends.get(i);
            if (s.take()) {
                i++;
            } else {
                // By identity, not index: take() may have signalled its subscriber, whose close()
                // (on this thread) stopped every source and cleared the list.
                sends.remove(s);
            }
        }
    }

    /**
     * The connection is closing: no send takes more messages; the messages they took go out first,
     * then each fails with {@code cause}.
     */
    void stop(Throwable cause) {
        for (MessageSend s : sends) {
            s.stop(cause);
        }
        sends.clear();
    }

    /** The connection can send no more: every send fails at once with {@code cause}. */
    void terminate(Throwable cause) {
        // A copy: a subscriber told of the failure may start a send, which the outbound side refuses.
        List<MessageSend> left = new ArrayList<>(sends);
        sends.clear();
        for (MessageSend s : left) {
            s.terminate(cause);
        }
    }
}
