package io.fluxsocket;

import io.fluxsocket.io.WebSocketInputStream;
import io.fluxsocket.io.WebSocketOutputStream;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An open WebSocket connection in stream mode: binary data in both directions, read as bytes
 * arrive rather than as whole messages (the Windows Runtime {@code StreamWebSocket}).
 *
 * <h2>Lifecycle</h2>
 * A connection is <em>open</em> when {@link WebSocketClient#connect} emits it. It becomes
 * <em>closing</em> when either side sends a Close frame, and <em>closed</em> when the closing
 * handshake is done and TCP is closed; it is <em>failed</em> when TCP ended without a closing
 * handshake, when the server violated the protocol (this client then sends the matching close code,
 * 1002, 1003, 1007 or 1009, before it closes TCP) or when a send made no progress for the send
 * timeout. {@link #closeStatus()} reports how it ended, in every case.
 *
 * <h2>Flow control</h2>
 * This client reads the socket while fewer than {@code receiveBufferBytes} received bytes wait for
 * {@link #receive()}'s subscriber, ahead of its demand and before it subscribes, and stops when
 * that many wait: when the subscriber stops requesting, reads stop once the receive buffer is full,
 * the kernel's receive buffer fills, the TCP window closes and the server is slowed down. Control
 * frames travel in the same reads: while the receive buffer has room, the server's Pings are
 * answered and its Close is seen whatever the subscriber requested; once it is full they wait
 * behind the data until the subscriber takes some (or, with {@code receive()} never subscribed,
 * until a {@link #close} of this client's, after which what does not fit is dropped). Frames of any
 * size are passed on in pieces as they arrive, never held whole, so the bytes this library holds
 * for one connection's inbound side stay under {@code receiveBufferBytes + 64 KiB + 139}: the queue, the
 * pieces of one socket read (at most 64 KiB), and a partial frame header or control frame.
 * Outbound, a {@link #send} asks its
 * publisher for one buffer at a time, and only while fewer than {@code outboundBufferBytes} bytes
 * taken from publishers wait to be written to the socket; so the bytes held for sending stay under
 * {@code outboundBufferBytes} plus one buffer, whatever the buffers' sizes. Frames go out only
 * while the socket is writable; a Pong goes between the frames of a message, ahead of the rest.
 *
 * <h2>Threads and buffers</h2>
 * Signals of {@link #receive()} and the completion of {@link #send} arrive on the connection's
 * event loop: do not block in them. A {@link ByteBuffer} handed to {@code onNext} of
 * {@link #receive()} is the subscriber's own, a heap buffer that stays valid after {@code onNext}
 * returns. A {@link ByteBuffer} emitted to {@link #send} belongs to this library from then on; do
 * not change it afterwards. All methods are thread-safe. No argument may be {@code null}.
 */
public interface StreamWebSocket {

    /**
     * The bytes of the server's binary messages, in order, as they arrive: each buffer is a piece
     * of one frame's payload (a frame that arrives over several socket reads comes in several
     * pieces); message boundaries are not marked. Frames of any size are accepted. Accepts one
     * subscriber; a second one gets an {@link IllegalStateException}.
     *
     * <p>Data that arrives before it is subscribed, or ahead of its requests, is kept up to the
     * receive buffer ({@code receiveBufferBytes}) and delivered as it is requested; the socket is
     * not read while the buffer is full. Cancelling stops delivery: data that arrives
     * later is read and discarded,
     * so that the connection can still send and close; it does not close the connection. A
     * request of zero or less (Reactive Streams §3.9) ends the subscription the same way and
     * signals {@link IllegalArgumentException}.
     *
     * @return a {@link Flux} that completes after the server's Close frame arrived (all data
     *     before it delivered), and errors with a {@link WebSocketException} when the connection
     *     failed instead: a protocol violation ({@code PROTOCOL_ERROR}, {@code INVALID_PAYLOAD}
     *     for a Close reason that is not UTF-8, {@code UNSUPPORTED_DATA} for a text message), a
     *     reset ({@code CONNECTION_RESET}), TCP ended without a Close frame
     *     ({@code CONNECTION_ABORTED}), or a Close of this client's that the server did not answer,
     *     or a message in flight that did not finish, within the close timeout ({@code TIMEOUT})
     */
    Flux<ByteBuffer> receive();

    /**
     * The received bytes read in place, without a copy: {@code reader} is called with a read-only
     * view of each piece {@link #receive()} would deliver (on the connection's event loop, as
     * pieces are delivered), and the {@link Flux} emits what it returns. The view is valid only
     * during the call: read what you need from it (count, hash, parse, write it to a channel, copy
     * the part you keep) and do not keep it, or a buffer derived from it, afterwards: its memory is
     * reused for later reads. Use it where the copy that {@code receive()} makes costs too much,
     * such as bulk downloads. In every other respect it is {@code receive()}: one subscriber
     * between the two methods (a second gets an {@link IllegalStateException}), demand counted in
     * pieces, the same completion and errors. An exception thrown by {@code reader}, or a
     * {@code null} result, cancels the subscription and errors the {@link Flux} with it (a
     * {@link NullPointerException} for {@code null}); the connection stays open.
     *
     * <pre>{@code
     * MessageDigest sha = MessageDigest.getInstance("SHA-256");
     * Mono<Long> bytes = ws.receive(piece -> {
     *     int n = piece.remaining();
     *     sha.update(piece);
     *     return n;
     * }).reduce(0L, Long::sum);
     * }</pre>
     *
     * @param reader reads one piece; it must not block, and it may not return {@code null}
     * @param <T>    what {@code reader} makes of a piece
     */
    <T> Flux<T> receive(Function<? super ByteBuffer, ? extends T> reader);

    /**
     * Sends one binary message made of the publisher's buffers, streamed as frames: small buffers
     * that arrive while the socket is busy are coalesced up to {@code maxFramePayload}, larger ones
     * are split; an empty publisher sends an empty message. Nothing happens until subscription.
     * Messages of concurrent {@code send}s never interleave: each waits for those subscribed before
     * it. The publisher is asked for one buffer at a time, within the outbound budget: the next as
     * soon as one arrived, from the publisher's own thread, while the budget has room. Cancelling a send
     * that has not started removes it; cancelling one whose first frame was written fails the
     * connection with 1011, since the message cannot be finished.
     *
     * @return a {@link Mono} that completes when the last frame was written to the socket; it
     *     errors with {@code CLOSED} if the connection closed or is closing before that,
     *     {@code CONNECTION_RESET}/{@code CONNECTION_ABORTED} if it was lost, {@code TIMEOUT} if
     *     no write progress was made for the send timeout, or with the publisher's own error
     */
    Mono<Void> send(Publisher<ByteBuffer> message);

    /**
     * Starts the closing handshake (RFC 6455 §7): sends a Close frame with {@code code} and
     * {@code reason} after the messages of the sends subscribed before this call, waits for the
     * server's Close (bounded by the close timeout, which also bounds the wait for those messages)
     * then closes TCP. Sends subscribed later fail with {@code CLOSED}. Inbound data
     * that arrives meanwhile is still delivered, with backpressure, to a subscriber of
     * {@link #receive()}: a slow one delays the handshake (within the close timeout; if it is hit,
     * {@code receive()} errors with {@code TIMEOUT} rather than losing bytes silently). When
     * {@code receive()} has no subscriber, or it was cancelled, that data is read and discarded so
     * the server's Close can be reached. Idempotent: later calls return the first one's outcome.
     *
     * @param code   a code that may be sent: 1000–1003, 1007–1014, or 3000–4999
     * @param reason at most 123 bytes of UTF-8
     * @return a {@link Mono} that completes when TCP is closed and {@link #closeStatus()} has
     *     emitted, or errors at once with
     *     {@code INVALID_ARGUMENT} for a code or reason that may not be sent
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

    /**
     * A blocking {@link InputStream} of the bytes {@link #receive()} would deliver: it becomes
     * {@code receive()}'s one subscriber, and reads drive the demand, so a reader that stops
     * reading stops the socket being read once the receive buffer is full. {@code read} returns {@code -1} after the server's Close
     * and throws an {@link java.io.IOException} carrying the {@link WebErrorStatus} (an
     * {@link io.fluxsocket.io.WebSocketIOException}) when the connection failed. Closing the stream
     * stops reading for it but leaves the connection open, so an upload in progress goes on. Its
     * blocking methods throw {@link IllegalStateException} on an event-loop or other non-blocking
     * thread. The full contract is {@link io.fluxsocket.io.WebSocketInputStream}'s.
     *
     * @return a {@link io.fluxsocket.io.WebSocketInputStream}
     * @throws IllegalStateException if {@code receive()} already has a subscriber (an earlier
     *     {@code inputStream()} or a reactive one)
     */
    default InputStream inputStream() {
        return WebSocketInputStream.of(this);
    }

    /**
     * A blocking {@link OutputStream} that is one new outbound binary message, sent as a
     * {@link #send} whose publisher the writes feed (sends subscribed later wait behind it):
     * {@code write} copies the bytes into 64 KiB buffers and blocks while 256 KiB of full buffers wait for the library to take them, {@code flush}
     * sends what is buffered as a non-final frame, {@code close} finishes the message (FIN) and
     * waits until it was written. Use after close, or after the connection closed, throws an
     * {@link java.io.IOException} with status {@code CLOSED}. Its methods throw
     * {@link IllegalStateException} on an event-loop or other non-blocking thread. The full
     * contract is {@link io.fluxsocket.io.WebSocketOutputStream}'s.
     *
     * @return a {@link io.fluxsocket.io.WebSocketOutputStream}, one per call
     */
    default OutputStream outputStream() {
        return WebSocketOutputStream.of(this);
    }
}
