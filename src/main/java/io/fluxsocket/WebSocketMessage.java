package io.fluxsocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * One WebSocket message of a {@link MessageWebSocket}: UTF-8 text or binary, and either
 * <em>whole</em> (its payload in memory) or <em>streamed</em> (its payload a
 * {@link Publisher} of byte buffers, for messages of any size).
 *
 * <pre>{@code
 * WebSocketMessage.text("κόσμε");                           // whole text
 * WebSocketMessage.binary(ByteBuffer.wrap(bytes));          // whole binary
 * WebSocketMessage.binary(chunks);                          // streamed: a Flux<ByteBuffer> sent as
 *                                                           // frames as it emits, of any size
 * }</pre>
 *
 * <p>A received message is whole in {@link ReceiveMode#WHOLE} and streamed in
 * {@link ReceiveMode#STREAMED}: the content of a streamed one can be subscribed once, and what its
 * subscriber does not take fills the receive buffer, which stops the socket being read. Text received whole is decoded from UTF-8 once, when it
 * arrives. A {@link ByteBuffer} given to this class belongs to it from then on: do not change it
 * afterwards. Instances are immutable and thread-safe (a streamed one as far as its publisher is).
 * Whole messages are equal when their type and payload are.
 */
public final class WebSocketMessage {

    private final boolean text;
    /** The text of a whole text message, else null. */
    private final String string;
    /** The payload of a whole binary message (position to limit), else null. */
    private final ByteBuffer bytes;
    /** The content of a streamed message, else null. */
    private final Publisher<ByteBuffer> stream;

    private WebSocketMessage(boolean text, String string, ByteBuffer bytes, Publisher<ByteBuffer> stream) {
        this.text = text;
        this.string = string;
        this.bytes = bytes;
        this.stream = stream;
    }

    /** A whole text message; it is sent as the UTF-8 encoding of {@code text}. */
    public static WebSocketMessage text(String text) {
        Objects.requireNonNull(text, "text");
        return new WebSocketMessage(true, text, null, null);
    }

    /** A whole binary message of the bytes from {@code payload}'s position to its limit. */
    public static WebSocketMessage binary(ByteBuffer payload) {
        Objects.requireNonNull(payload, "payload");
        return new WebSocketMessage(false, null, payload.slice(), null);
    }

    /**
     * A streamed text message whose content is the UTF-8 bytes the publisher emits (a code point
     * may be split across buffers). The bytes are checked as they are sent: a send whose bytes are
     * not UTF-8 fails with {@code INVALID_ARGUMENT} before they reach the wire.
     */
    public static WebSocketMessage text(Publisher<ByteBuffer> content) {
        Objects.requireNonNull(content, "content");
        return new WebSocketMessage(true, null, null, content);
    }

    /** A streamed binary message whose content is what the publisher emits; an empty one is an empty message. */
    public static WebSocketMessage binary(Publisher<ByteBuffer> content) {
        Objects.requireNonNull(content, "content");
        return new WebSocketMessage(false, null, null, content);
    }

    /** Whether this is a text message (opcode 1) rather than a binary one (opcode 2). */
    public boolean isText() {
        return text;
    }

    /** Whether the payload is a stream ({@link #content()} only) rather than in memory. */
    public boolean isStreamed() {
        return stream != null;
    }

    /**
     * The text of a whole message: a text message's text, or a binary message's payload decoded
     * as UTF-8 (malformed input replaced by U+FFFD).
     *
     * @throws IllegalStateException for a streamed message: read {@link #content()}
     */
    public String text() {
        requireWhole("text()");
        if (string != null) {
            return string;
        }
        return StandardCharsets.UTF_8.decode(bytes.duplicate()).toString();
    }

    /**
     * The payload of a whole message: a binary message's bytes (a new view of them, with its own
     * position and limit, each call), or a text message's text encoded as UTF-8 (a new buffer each
     * call).
     *
     * @throws IllegalStateException for a streamed message: read {@link #content()}
     */
    public ByteBuffer payload() {
        requireWhole("payload()");
        if (string != null) {
            return ByteBuffer.wrap(string.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.duplicate();
    }

    /**
     * The payload as a stream: for a streamed message its publisher (a received one accepts one
     * subscriber, and completes at the message's last frame); for a whole one a single buffer, as
     * {@link #payload()}, or none when the message is empty.
     */
    public Flux<ByteBuffer> content() {
        if (stream != null) {
            return Flux.from(stream);
        }
        return Flux.defer(() -> {
            ByteBuffer p = payload();
            return p.hasRemaining() ? Flux.just(p) : Flux.empty();
        });
    }

    private void requireWhole(String method) {
        if (stream != null) {
            throw new IllegalStateException(method + " is for whole messages; this one is streamed: read content()");
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof WebSocketMessage) || stream != null) {
            return false;
        }
        WebSocketMessage other = (WebSocketMessage) o;
        return other.stream == null && text == other.text
                && Objects.equals(string, other.string) && Objects.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        if (stream != null) {
            return System.identityHashCode(this);
        }
        return 31 * Boolean.hashCode(text) + (string != null ? string.hashCode() : bytes.hashCode());
    }

    @Override
    public String toString() {
        String type = text ? "text" : "binary";
        if (stream != null) {
            return "WebSocketMessage[" + type + ", streamed]";
        }
        return "WebSocketMessage[" + type + ", " + (string != null ? string.length() + " chars" : bytes.remaining() + " bytes") + "]";
    }
}
