package io.fluxsocket.spring;

import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.ReceiveMode;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketRequest;

import java.net.URI;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.client.WebSocketClient;
import reactor.core.publisher.Mono;

/**
 * Spring WebFlux's {@link WebSocketClient} on a fluxsocket {@link io.fluxsocket.WebSocketClient}: a
 * drop-in for {@code ReactorNettyWebSocketClient} and the others, with every option of the fluxsocket
 * builder (timeouts, sizes, TLS, proxies, keep-alive, compression, headers, metrics).
 *
 * <pre>{@code
 * WebSocketClient client = new FluxsocketWebSocketClient(io.fluxsocket.WebSocketClient.builder()
 *         .maxMessageSize(16 * 1024 * 1024)
 *         .keepAlive(Duration.ofSeconds(20), Duration.ofSeconds(10))
 *         .build());
 * client.execute(URI.create("wss://example.org/feed"), session ->
 *         session.send(Mono.just(session.textMessage("subscribe")))
 *                .thenMany(session.receive().map(WebSocketMessage::getPayloadAsText).doOnNext(log::info))
 *                .then());
 * }</pre>
 *
 * <p>Each {@code execute} opens one connection in message mode
 * ({@link io.fluxsocket.WebSocketClient#connectMessages(WebSocketRequest)}) with the call's headers
 * and the handler's {@linkplain WebSocketHandler#getSubProtocols() subprotocols} on top of the
 * client's (see {@link WebSocketRequest}), and gives the handler a {@link FluxsocketWebSocketSession}.
 * When the handler's {@code Mono} completes, the session is closed with 1000 (a no-op if it is closed
 * already); when it errors, with 1011; when the {@code Mono} of {@code execute} is cancelled, with 1001.
 * Messages larger than the client's {@link io.fluxsocket.WebSocketClient.Builder#maxMessageSize
 * maxMessageSize} fail the connection with 1009 and {@code MESSAGE_TOO_BIG}; they are never cut
 * short. For messages of any size, use a client in {@link ReceiveMode#STREAMED} and
 * {@link FluxsocketWebSocketSession#connection()}.
 *
 * <p>Immutable and thread-safe; share one. No argument may be {@code null}: a null, a header the
 * handshake sets itself ({@code Sec-WebSocket-*}, {@code Host}, …), a malformed header or subprotocol
 * make {@code execute} signal a {@link WebSocketException} with {@code INVALID_ARGUMENT}, before any
 * network I/O.
 */
public final class FluxsocketWebSocketClient implements WebSocketClient {

    private final io.fluxsocket.WebSocketClient client;

    /** An adapter over a fluxsocket client with the defaults ({@link io.fluxsocket.WebSocketClient#create()}). */
    public FluxsocketWebSocketClient() {
        this(io.fluxsocket.WebSocketClient.create());
    }

    /**
     * An adapter over {@code client}, whose options every connection has.
     *
     * @throws WebSocketException with {@code INVALID_ARGUMENT} if {@code client} is null
     */
    public FluxsocketWebSocketClient(io.fluxsocket.WebSocketClient client) {
        if (client == null) {
            throw new WebSocketException(WebErrorStatus.INVALID_ARGUMENT, "client: must not be null");
        }
        this.client = client;
    }

    /** The fluxsocket client the connections are opened with. */
    public io.fluxsocket.WebSocketClient client() {
        return client;
    }

    /**
     * Connects to {@code url} and runs {@code handler} on the session; the same as
     * {@link #execute(URI, HttpHeaders, WebSocketHandler)} with no headers of the call's own.
     */
    @Override
    public Mono<Void> execute(URI url, WebSocketHandler handler) {
        return execute(url, new HttpHeaders(), handler);
    }

    /**
     * Connects to {@code url} with {@code headers} (on top of the client's; a name given here
     * replaces the client's header of that name, several values of one name are sent as one
     * header, joined with {@code ", "}, or {@code "; "} for {@code Cookie}) and the handler's
     * subprotocols (instead of the client's when it has any), then runs {@code handler} on the
     * session and closes it when the handler is done. Nothing happens until subscription.
     *
     * @return a {@link Mono} that completes when the handler's {@code Mono} completed and the
     *     closing handshake is over (TCP closed); it errors with the handler's error (after the
     *     session was closed with 1011), or with the connect's {@link WebSocketException}:
     *     {@code INVALID_ARGUMENT} for a null or invalid argument (before any I/O), or as
     *     {@link io.fluxsocket.WebSocketClient#connectMessages(WebSocketRequest)} errors. Cancelling
     *     it closes the session with 1001.
     */
    @Override
    public Mono<Void> execute(URI url, HttpHeaders headers, WebSocketHandler handler) {
        return Mono.defer(() -> {
            WebSocketRequest request = request(url, headers, handler);
            Mono<FluxsocketWebSocketSession> connect = client.connectMessages(request)
                    .map((MessageWebSocket ws) -> FluxsocketWebSocketSession.open(ws, url));
            return Mono.usingWhen(connect, handler::handle,
                    session -> session.close(CloseStatus.NORMAL),
                    (session, error) -> session.close(CloseStatus.SERVER_ERROR),
                    session -> session.close(CloseStatus.GOING_AWAY));
        });
    }

    /** The connection's request: the URI, the call's headers, the handler's subprotocols. */
    private static WebSocketRequest request(URI url, HttpHeaders headers, WebSocketHandler handler) {
        if (url == null) {
            throw new WebSocketException(WebErrorStatus.INVALID_ARGUMENT, "url: must not be null");
        }
        if (headers == null) {
            throw new WebSocketException(WebErrorStatus.INVALID_ARGUMENT, "headers: must not be null");
        }
        if (handler == null) {
            throw new WebSocketException(WebErrorStatus.INVALID_ARGUMENT, "handler: must not be null");
        }
        WebSocketRequest.Builder request = WebSocketRequest.builder(url);
        headers.forEach((name, values) -> {
            if (values.isEmpty()) {
                // Nothing to send for a name without a value.
                return;
            }
            request.header(name, String.join(name.equalsIgnoreCase("Cookie") ? "; " : ", ", values));
        });
        List<String> protocols = handler.getSubProtocols();
        if (!protocols.isEmpty()) {
            request.subprotocols(protocols);
        }
        return request.build();
    }

    @Override
    public String toString() {
        return "FluxsocketWebSocketClient[" + client + "]";
    }
}
