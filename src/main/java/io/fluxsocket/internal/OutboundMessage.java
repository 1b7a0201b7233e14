package io.fluxsocket.internal;

import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketException;

import java.nio.ByteBuffer;
import java.util.concurrent.Callable;
import org.reactivestreams.Publisher;
import reactor.core.Exceptions;

/**
 * One message waiting to be sent or being sent, of either mode: its type, and its bytes as a whole
 * payload in memory or as a publisher of buffers (a {@link Callable} one is read when the message
 * starts, as a whole payload; another is subscribed with a {@link Pull}). Subclasses tell whoever
 * sent it how it ended, once: {@link StreamSend}'s subscription, or a {@link MessageSend}.
 *
 * <p>Confined to the connection's event loop once queued.
 */
abstract class OutboundMessage {

    /** {@link Opcode#TEXT} or {@link Opcode#BINARY}. */
    final Opcode type;
    /** The publisher of a streamed message, or null for a whole one. */
    final Publisher<ByteBuffer> content;
    /** The payload of a whole message, or of a {@link Callable} publisher once read; else null. */
    ByteBuffer payload;
    /** The subscriber of {@link #content}, once the message started and subscribed it. */
    Pull<ByteBuffer, ByteBuffer> pull;
    /** Checks streamed text as it is framed; null for binary and whole messages. */
    Utf8Validator utf8;
    /** A frame of it was written: it must be finished, or the connection failed. */
    boolean started;
    /** Its end was told. */
    private boolean ended;
    /** It left the budget's count of messages with a publisher (see {@link #leave}). */
    private boolean left;

    OutboundMessage(Opcode type, ByteBuffer payload, Publisher<ByteBuffer> content) {
        this.type = type;
        this.payload = payload;
        this.content = content;
    }

    /** The bytes it holds in memory while it waits in the queue (a whole payload's). */
    final long queuedBytes() {
        return payload == null ? 0 : payload.remaining();
    }

    /** Cancels its publisher, if it was subscribed. */
    final void cancelContent() {
        if (pull != null) {
            pull.cancel();
        }
    }

    /** Tells its sender, once, that it was written ({@code error == null}) or failed. */
    final void end(Throwable error) {
        if (ended) {
            return;
        }
        ended = true;
        if (error == null) {
            written();
        } else {
            failed(error);
        }
    }

    /** Whether its bytes are a {@link Callable} publisher's value, not read yet (it is read when the message starts). */
    final boolean isScalar() {
        return payload == null && content instanceof Callable;
    }

    /**
     * Reads a {@link Callable} publisher's value as the payload (none: an empty message) and charges
     * it to {@code budget}; false if that failed or is not UTF-8 text, and then the message was
     * failed and left the budget's count.
     */
    final boolean readScalar(OutboundBudget budget) {
        ByteBuffer b;
        try {
            Object value = ((Callable<?>) content).call();
            b = value == null ? ByteBuffer.allocate(0) : (ByteBuffer) value;
        } catch (Throwable e) {
            // Mono.error throws its error wrapped when it is checked; Reactor unwraps it so too.
            end(Exceptions.unwrap(e));
            leave(budget);
            return false;
        }
        if (type == Opcode.TEXT) {
            Utf8Validator check = new Utf8Validator();
            long bad = check.update(b);
            if (bad >= 0 || !check.isComplete()) {
                end(notUtf8(bad >= 0 ? bad : check.offset()));
                leave(budget);
                return false;
            }
        }
        payload = b;
        budget.charge(b.remaining());
        return true;
    }

    static WebSocketException notUtf8(long offset) {
        return new WebSocketException(WebErrorStatus.INVALID_ARGUMENT,
                "message: the content of a streamed text message is not UTF-8 (at byte " + offset + ")");
    }

    /**
     * Whether it counts as a message-mode message with a publisher, which no message may be
     * taken behind ({@link OutboundBudget#roomForMessages()}).
     */
    boolean gatesMessages() {
        return false;
    }

    /** It was written ({@code error == null}) or failed: the budget no longer counts it, and its sender is told. */
    final void finish(OutboundBudget budget, Throwable error) {
        leave(budget);
        end(error);
    }

    /** It leaves the queue without being written: its bytes go back to {@code budget}, which no longer counts it. */
    final void drop(OutboundBudget budget) {
        budget.queued(-queuedBytes());
        budget.release(queuedBytes());
        leave(budget);
    }

    /** It was written, failed or dropped: the budget no longer counts it (once). */
    final void leave(OutboundBudget budget) {
        if (!left) {
            left = true;
            if (gatesMessages()) {
                budget.contentEnded();
            }
        }
    }

    /** Its last frame was written to the socket. */
    abstract void written();

    /** It cannot be written, or its content failed. */
    abstract void failed(Throwable error);
}
