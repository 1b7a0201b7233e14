package io.fluxsocket;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.Function;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An open WebSocket connection in message mode: whole UTF-8 text or binary messages in both
 * directions, or each message as a stream of its own (the Windows Runtime {@code MessageWebSocket}).
 * Opened by {@link WebSocketClient#connectMessages}.
 *
 * <h2>Lifecycle</h2>
 * As {@link StreamWebSocket}'s: open when {@code connectMessages} emits it, closing once either side
 * sent a Close frame, closed when the closing handshake is done and TCP is closed, failed when TCP
 * ended without a closing handshake, the server violated the protocol (this client sends 1002,
 * 1007 for a text message that is not UTF-8, or 1009 for a message over {@code maxMessageSize},
 * before it closes TCP), or a send made no progress for the send timeout. {@link #closeStatus()}
 * reports how it ended, in every case.
 *
 * <h2>Receiving</h2>
 * In {@link ReceiveMode#WHOLE} (the default) each message is emitted once its last frame arrived;
 * its payload is in memory ({@link WebSocketMessage#text()}, {@link WebSocketMessage#payload()}).
 * Demand on {@link #receive()} counts messages; it decides what is delivered, not what is read: the
 * socket is read while the complete messages waiting for the subscriber hold fewer than
 * {@code receiveBufferBytes}, whether they were requested or not (so the server's Pings are answered
 * and its Close is seen while that budget has room), and messages that arrive before
 * {@code receive()} is subscribed are kept the same way. So the bytes held stay under
 * {@code receiveBufferBytes + maxMessageSize + 64 KiB} (complete messages queued for the subscriber,
 * the message being assembled, one socket read).
 *
 * <p>In {@link ReceiveMode#STREAMED} each message is emitted at its first frame and its
 * {@link WebSocketMessage#content()} delivers the bytes as they arrive, with no size limit. Demand
 * on {@code receive()} counts messages, demand on a message's {@code content()} bytes; the socket is
 * read ahead of both while fewer than {@code receiveBufferBytes} received bytes wait, and not while
 * that many do. The next message is emitted only after the current one's content completed or was
 * cancelled (cancelling skips the rest of that message; the connection goes on), so a message whose
 * content is never subscribed holds up the ones after it. The bytes held stay under
 * {@code receiveBufferBytes + 64 KiB + 139}, as in stream mode, whatever the message sizes.
 *
 * <h2>Sending</h2>
 * {@link #send} sends each message of its publisher as one WebSocket message: whole messages as
 * frames of up to {@code maxFramePayload}, streamed ones ({@link WebSocketMessage#binary(Publisher)},
 * {@link WebSocketMessage#text(Publisher)}) as frames that follow their publisher, coalesced and
 * split by the same framer as stream mode. Messages never mix: those of concurrent sends interleave
 * only at message boundaries, each send's own in order.
 *
 * <p>Outbound memory is bounded in bytes, as in stream mode: a send asks its publisher for one
 * message at a time, and a streamed message's publisher for one buffer at a time, only while fewer
 * than {@code outboundBufferBytes} bytes taken from publishers wait to be written. So the bytes held
 * for sending stay under {@code outboundBufferBytes} plus one message for each send in progress plus
 * one buffer of the streamed message being written, whatever the sizes (a publisher of 16 MiB
 * messages against a server that stops reading holds one of them). No message is taken behind a
 * streamed one until it was written.
 *
 * <h2>Threads and buffers</h2>
 * Signals of {@link #receive()}, of a received message's {@code content()}, and the completion of
 * {@link #send} arrive on the connection's event loop: do not block in them. Received payloads are
 * the subscriber's own heap buffers; a buffer given to this library to send belongs to it from then
 * on. All methods are thread-safe. No argument may be {@code null}.
 */
public interface MessageWebSocket {

    /**
     * The server's messages, in order. Accepts one subscriber; a second one gets an
     * {@link IllegalStateException}. Until it is subscribed and requests, the socket is not read
     * (but after {@link #close}, which reads ahead within the receive buffer). A request of zero or
     * less (Reactive Streams §3.9) ends the subscription as a cancel does and signals
     * {@link IllegalArgumentException}; the same holds for a received message's {@code content()}.
     *
     * <p>Cancelling stops the emission of messages: in streamed mode the content of a message
     * already emitted is still delivered to its subscriber; everything after it is read and
     * discarded, so that the connection can still send and close.
     *
     * @return a {@link Flux} that completes after the server's Close frame arrived (every message
     *     before it delivered; a message it cut short is not emitted in whole mode, and ends its
     *     content with a {@code CLOSED} error in streamed mode), and errors with a
     *     {@link WebSocketException} when the connection failed: {@code PROTOCOL_ERROR},
     *     {@code INVALID_PAYLOAD} (text that is not UTF-8), {@code MESSAGE_TOO_BIG},
     *     {@code CONNECTION_RESET}, {@code CONNECTION_ABORTED}, or {@code TIMEOUT} for a close
     *     the server did not answer in time
     */
    Flux<WebSocketMessage> receive();

    /**
     * The server's messages as {@link #receive()} has them, each given to {@code reader} on the
     * connection's event loop as it is delivered, with a whole binary message's payload lent in
     * place rather than copied into a heap buffer of its own: its {@link WebSocketMessage#payload()}
     * is a read-only view of the connection's memory, valid during the call and until the
     * subscriber's {@code onNext} of what {@code reader} returned has returned. Read what you need
     * in that time (parse, hash, write it to a channel, copy the part you keep) and do not keep the
     * message or its payload afterwards: its memory is reused for later reads. The {@link Flux}
     * emits what {@code reader} returns. Use it where the copy that {@code receive()} makes costs
     * too much, such as large messages at a high rate. A message is read in place when the
     * subscriber waits for it and it is at least 8 KiB (a smaller one is copied to the heap, which
     * costs less): one that has to wait for demand is held as a copy (a message of
     * several pieces in pooled memory, one of a single piece on the heap, as {@code receive()}
     * holds it), and the bytes held stay under the same bound as with {@code receive()}.
     *
     * <p>Text messages are given as {@code receive()} has them (decoded once; their text stays
     * valid), as are the messages of a connection in {@link ReceiveMode#STREAMED}. In every other
     * respect it is {@code receive()}: one subscriber between the two methods (a second gets an
     * {@link IllegalStateException}), demand counted in messages, the same completion and errors.
     * An exception thrown by {@code reader}, or a {@code null} result, cancels the subscription and
     * errors the {@link Flux} with it (a {@link NullPointerException} for {@code null}); the
     * connection stays open.
     *
     * <pre>{@code
     * Flux<String> digests = ws.receive(message -> {
     *     MessageDigest sha = MessageDigest.getInstance("SHA-256");
     *     sha.update(message.payload());
     *     return HexFormat.of().formatHex(sha.digest());
     * });
     * }</pre>
     *
     * @param reader reads one message; it must not block, and it may not return {@code null}
     * @param <T>    what {@code reader} makes of a message
     */
    <T> Flux<T> receive(Function<? super WebSocketMessage, ? extends T> reader);

    /**
     * Sends the publisher's messages, each as one WebSocket message, in order. Messages are taken
     * from the publisher one at a time, as the outbound budget allows. Nothing happens until
     * subscription. When the publisher fails, the messages it gave are still sent, then the send
     * errors with its error.
     * Cancelling removes this send's messages that have not started; cancelling while one of its
     * messages is part-way written fails the connection with 1011, since that message cannot be
     * finished.
     *
     * @return a {@link Mono} that completes when the publisher completed and its last message was
     *     written to the socket; it errors with {@code CLOSED} if the connection closed or is
     *     closing first, {@code CONNECTION_RESET}/{@code CONNECTION_ABORTED} if it was lost,
     *     {@code TIMEOUT} if no write progress was made for the send timeout,
     *     {@code INVALID_ARGUMENT} for a streamed text message whose bytes are not UTF-8, or with
     *     the publisher's own error (or a streamed message's)
     */
    Mono<Void> send(Publisher<WebSocketMessage> messages);

    /**
     * Starts the closing handshake, as {@link StreamWebSocket#close(int, String)}: the Close frame
     * goes after the messages already taken from the publishers of sends in progress; those sends
     * take no more and then fail with {@code CLOSED}, as do later ones. Idempotent.
     *
     * @param code   a code that may be sent: 1000–1003, 1007–1014, or 3000–4999
     * @param reason at most 123 bytes of UTF-8
     * @return a {@link Mono} that completes when TCP is closed and {@link #closeStatus()} has
     *     emitted, or errors at once with {@code INVALID_ARGUMENT} for a code or reason that may
     *     not be sent
     */
    Mono<Void> close(int code, String reason);

    /** Same as {@code close(1000, "")}. */
    default Mono<Void> close() {
        return close(CloseStatus.NORMAL_CLOSURE, "");
    }

    /**
     * The Closed event.
     *
     * @return a {@link Mono} that always completes, with how the connection ended, once TCP is
     *     closed; it never errors
     */
    Mono<CloseStatus> closeStatus();

    /**
     * Sends a Ping with {@code payload} (at most 125 bytes; it is copied), ahead of the next data
     * frame, and measures the round trip. Nothing happens until subscription.
     *
     * @return a {@link Mono} of the time from the Ping's queueing to the first Pong that carries the
     *     same payload; it errors with {@code INVALID_ARGUMENT} (before any I/O) for a null or
     *     longer payload, and with the connection's error (or {@code CLOSED}) if it ends first
     */
    Mono<Duration> ping(ByteBuffer payload);

    /** The Information of this connection. */
    WebSocketInfo info();
}
