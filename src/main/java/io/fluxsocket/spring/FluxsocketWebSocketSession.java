package io.fluxsocket.spring;

import io.fluxsocket.HandshakeResponse;
import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketException;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.core.io.buffer.PooledDataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.adapter.AbstractWebSocketSession;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;
import reactor.util.context.Context;

/**
 * The {@link WebSocketSession} of a {@link FluxsocketWebSocketClient}: Spring's view of one
 * fluxsocket {@link MessageWebSocket}, which {@link #connection()} gives for what Spring's model has
 * no room for.
 *
 * <h2>Handshake</h2>
 * {@link #getHandshakeInfo()} has the URI that was connected to, the headers of the server's
 * {@code 101} response, the subprotocol the server selected (or {@code null}), the server's address,
 * no cookies and no principal. {@link #getAttributes()} is this session's own mutable map, empty at
 * first.
 *
 * <h2>Messages</h2>
 * {@link #receive()} emits the server's text and binary messages whole. A binary message's payload
 * is lent by the connection ({@link MessageWebSocket#receive(java.util.function.Function)}: from
 * 8 KiB on read in place without a copy, a smaller one a heap copy), with the lifetime Spring's own
 * client gives its pooled payloads on Reactor Netty: it is valid
 * during the subscriber's {@code onNext}, and released when that returned. To keep it longer (past
 * a {@code publishOn}, a {@code concatMap}, a queue), {@link WebSocketMessage#retain() retain()} the
 * message in {@code onNext} and release it when done: retaining copies the payload to the heap once.
 * A payload used after it was released fails with an {@link IllegalStateException}. A text
 * message's payload is its UTF-8 bytes in a heap buffer of its own, valid until the garbage
 * collector takes it (releasing it does nothing). {@link WebSocketMessage#getNativeMessage()} is
 * the fluxsocket {@link io.fluxsocket.WebSocketMessage}, a binary one's payload valid as long as the
 * Spring payload is lent. The connection answers the server's Pings itself, and
 * matches the Pongs it receives to its own Pings: {@code receive()} emits neither (a Ping's round
 * trip is {@code connection().ping(payload)}).
 *
 * <p>{@link #send} sends text and binary messages whole, and a {@code PING} message as a Ping, out of
 * band: as soon as it can, so not in order with the data messages around it (a control frame goes
 * between data frames); its Pong is not waited for. A binary payload from a heap factory
 * (such as {@link #bufferFactory()}) is sent without a copy and must not be changed afterwards; a
 * pooled one (Netty's, as a WebFlux server's request bodies are) is copied and released at once, as
 * is every text payload (decoded to a string). A {@code PONG} message cannot be sent: the library
 * sends the Pongs itself (the answers to Pings, and unsolicited ones every
 * {@link io.fluxsocket.WebSocketClient.Builder#unsolicitedPongInterval}); it makes {@code send} error
 * with {@code INVALID_ARGUMENT}, as does a Ping payload over 125 bytes.
 *
 * <h2>Streaming: messages of any size</h2>
 * Spring's {@link WebSocketMessage} is whole, so {@code receive()} holds each message in memory up
 * to the client's {@code maxMessageSize} (beyond it the connection fails with 1009 and
 * {@code MESSAGE_TOO_BIG}). To stream messages of any size with bounded memory, open the session
 * with a client in {@link io.fluxsocket.ReceiveMode#STREAMED} and read and write the
 * {@link #connection()} instead: each received message's {@code content()} is a
 * {@code Flux<ByteBuffer>} driven by demand, and {@code WebSocketMessage.binary(Publisher)} sends one
 * message of any size as its publisher emits. With such a client, {@code receive()} of this session
 * signals an {@link IllegalStateException} at the first message, and {@code receive()} and
 * {@code connection().receive()} share the connection's one subscriber.
 *
 * <p>Thread-safe. The signals of {@code receive()} and the completion of {@code send} arrive on the
 * connection's event loop: do not block in them. No argument may be {@code null}.
 */
public final class FluxsocketWebSocketSession extends AbstractWebSocketSession<MessageWebSocket> {

    /** Where session ids come from: a counter of the JVM, in hexadecimal. */
    private static final AtomicLong IDS = new AtomicLong();
    /** Spring's largest Ping payload, as RFC 6455 §5.5 allows. */
    private static final int MAX_PING_PAYLOAD = 125;

    /** Whether closeStatus() has emitted, i.e. TCP is closed (written on the event loop, read anywhere). */
    private volatile boolean closed;

    private FluxsocketWebSocketSession(MessageWebSocket connection, String id, HandshakeInfo info) {
        super(connection, id, info, DefaultDataBufferFactory.sharedInstance);
    }

    /** The session of an open connection to {@code uri}. */
    static FluxsocketWebSocketSession open(MessageWebSocket connection, URI uri) {
        String id = Long.toHexString(IDS.incrementAndGet());
        HandshakeResponse response = connection.info().handshakeResponse();
        HttpHeaders headers = new HttpHeaders();
        response.headers().forEach(headers::addAll);
        HandshakeInfo info = new HandshakeInfo(uri, headers, new LinkedMultiValueMap<>(), Mono.empty(),
                connection.info().subprotocol().orElse(null), connection.info().remoteAddress(),
                new ConcurrentHashMap<>(), "[" + id + "] ");
        FluxsocketWebSocketSession session = new FluxsocketWebSocketSession(connection, id, info);
        connection.closeStatus().subscribe(status -> session.closed = true);
        return session;
    }

    /**
     * The fluxsocket connection under this session: for messages streamed with bounded memory (with
     * a client in {@link io.fluxsocket.ReceiveMode#STREAMED}), {@code ping} with its round trip,
     * {@code info()} (TLS, byte counts, bandwidth statistics). Its {@code receive()} is the same
     * single-subscriber flux as this session's {@link #receive()}: read one of them.
     */
    public MessageWebSocket connection() {
        return getDelegate();
    }

    /**
     * The server's messages, whole, in order (see the class comment). Accepts one subscriber.
     *
     * @return a {@link Flux} that completes after the server's Close arrived, and errors with the
     *     connection's {@link WebSocketException} ({@code MESSAGE_TOO_BIG} for a message over
     *     {@code maxMessageSize}, …), or with an {@link IllegalStateException} for a streamed message
     *     (a client in {@code STREAMED} mode: read {@link #connection()})
     */
    @Override
    public Flux<WebSocketMessage> receive() {
        Flux<WebSocketMessage> messages = getDelegate().receive(this::toSpring);
        return new Flux<WebSocketMessage>() {
            @Override
            public void subscribe(CoreSubscriber<? super WebSocketMessage> actual) {
                messages.subscribe(new Lending(actual));
            }
        };
    }

    private WebSocketMessage toSpring(io.fluxsocket.WebSocketMessage message) {
        if (message.isStreamed()) {
            throw new IllegalStateException("a streamed message (the client's receive mode is STREAMED) cannot be a "
                    + "whole Spring WebSocketMessage: read FluxsocketWebSocketSession.connection().receive()");
        }
        if (message.isText()) {
            return new WebSocketMessage(WebSocketMessage.Type.TEXT, bufferFactory().wrap(message.payload()), message);
        }
        return new WebSocketMessage(WebSocketMessage.Type.BINARY, new LentDataBuffer(bufferFactory(), message.payload()), message);
    }

    /** Between the connection and the subscriber: a lent payload's delivery ends when {@code onNext} returned. */
    private static final class Lending implements CoreSubscriber<WebSocketMessage>, Subscription {

        private final CoreSubscriber<? super WebSocketMessage> actual;
        private Subscription upstream;

        Lending(CoreSubscriber<? super WebSocketMessage> actual) {
            this.actual = actual;
        }

        @Override
        public void onSubscribe(Subscription s) {
            upstream = s;
            actual.onSubscribe(this);
        }

        @Override
        public void onNext(WebSocketMessage message) {
            try {
                actual.onNext(message);
            } finally {
                if (message.getPayload() instanceof LentDataBuffer lent) {
                    lent.expire();
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            actual.onError(t);
        }

        @Override
        public void onComplete() {
            actual.onComplete();
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void request(long n) {
            upstream.request(n);
        }

        @Override
        public void cancel() {
            upstream.cancel();
        }
    }

    /**
     * Sends the publisher's text and binary messages, each as one WebSocket message, and its Pings
     * (see the class comment). Nothing happens until subscription.
     *
     * @return a {@link Mono} that completes when the publisher completed and its last message was
     *     written, and errors as {@link MessageWebSocket#send} does, or with {@code INVALID_ARGUMENT}
     *     for a {@code PONG} message or a Ping payload over 125 bytes (the messages before it sent)
     */
    @Override
    public Mono<Void> send(Publisher<WebSocketMessage> messages) {
        if (messages == null) {
            return Mono.error(new WebSocketException(WebErrorStatus.INVALID_ARGUMENT, "messages: must not be null"));
        }
        return getDelegate().send(Flux.from(messages).handle(this::toFluxsocket));
    }

    private void toFluxsocket(WebSocketMessage message, SynchronousSink<io.fluxsocket.WebSocketMessage> sink) {
        DataBuffer payload = message.getPayload();
        try {
            switch (message.getType()) {
                case TEXT:
                    sink.next(io.fluxsocket.WebSocketMessage.text(payload.toString(StandardCharsets.UTF_8)));
                    break;
                case BINARY:
                    sink.next(io.fluxsocket.WebSocketMessage.binary(bytes(payload)));
                    break;
                case PING:
                    if (payload.readableByteCount() > MAX_PING_PAYLOAD) {
                        sink.error(new WebSocketException(WebErrorStatus.INVALID_ARGUMENT, "messages: a Ping payload is at most "
                                + MAX_PING_PAYLOAD + " bytes, was " + payload.readableByteCount()));
                        break;
                    }
                    // The Pong is not waited for; a connection that ends fails the send anyway.
                    getDelegate().ping(copy(payload)).subscribe(roundTrip -> { }, error -> { });
                    break;
                default:
                    sink.error(new WebSocketException(WebErrorStatus.INVALID_ARGUMENT, "messages: a " + message.getType()
                            + " message cannot be sent: the connection sends its Pongs itself"));
                    break;
            }
        } finally {
            // A no-op for heap buffers whose bytes are lent on; a pooled one was copied.
            DataBufferUtils.release(payload);
        }
    }

    /**
     * A binary payload's bytes: the buffer itself for a heap one with one readable region (it is not
     * released: releasing a heap buffer does nothing), else a copy.
     */
    private static ByteBuffer bytes(DataBuffer payload) {
        if (!(payload instanceof PooledDataBuffer)) {
            try (DataBuffer.ByteBufferIterator regions = payload.readableByteBuffers()) {
                if (regions.hasNext()) {
                    ByteBuffer first = regions.next();
                    if (!regions.hasNext()) {
                        return first;
                    }
                } else {
                    return ByteBuffer.allocate(0);
                }
            }
        }
        return copy(payload);
    }

    private static ByteBuffer copy(DataBuffer payload) {
        ByteBuffer copy = ByteBuffer.allocate(payload.readableByteCount());
        payload.toByteBuffer(copy);
        return copy;
    }

    /** Whether the connection is not closed yet (TCP open; the closing handshake may have begun). */
    @Override
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Starts the closing handshake with {@code status}'s code and reason (see
     * {@link MessageWebSocket#close(int, String)}). Idempotent.
     *
     * @return a {@link Mono} that completes when TCP is closed, or errors at once with
     *     {@code INVALID_ARGUMENT} for a code that may not be sent (such as 1005 or 1006) or a reason
     *     over 123 bytes of UTF-8
     */
    @Override
    public Mono<Void> close(CloseStatus status) {
        if (status == null) {
            return Mono.error(new WebSocketException(WebErrorStatus.INVALID_ARGUMENT, "status: must not be null"));
        }
        String reason = status.getReason();
        return getDelegate().close(status.getCode(), reason == null ? "" : reason);
    }

    /**
     * How the connection ended: the code and reason of {@link MessageWebSocket#closeStatus()} as they
     * are (the server's Close, the one this client failed the connection with, 1005 for an empty
     * Close, 1006 for none), a constant such as {@link CloseStatus#NORMAL} for a code without a reason.
     *
     * @return a {@link Mono} that emits once TCP is closed; it never errors and is never empty
     */
    @Override
    public Mono<CloseStatus> closeStatus() {
        return getDelegate().closeStatus().map(status -> CloseStatus.create(status.code(), status.reason()));
    }
}
