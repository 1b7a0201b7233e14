package io.fluxsocket.spring.sample;

import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.ReceiveMode;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketMessage;
import io.fluxsocket.spring.FluxsocketWebSocketClient;
import io.fluxsocket.spring.FluxsocketWebSocketSession;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.socket.CloseStatus;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerResponse;
import reactor.util.Logger;
import reactor.util.Loggers;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;

/**
 * The sample service: a Spring WebFlux application on Reactor Netty (functional routes, on
 * 127.0.0.1 and an ephemeral port) that bridges HTTP and an upstream WebSocket server with fluxsocket,
 * streaming both ways with bounded memory where Spring's own WebSocket clients hold whole messages.
 * <ul>
 *   <li>{@code GET /relay?<query>}: opens a WebSocket to the upstream's {@code /feed?<query>} and
 *       streams the payload bytes of all its messages, as they arrive, as the response body
 *       ({@code application/octet-stream}). The upstream is read only as fast as the HTTP client
 *       reads (fluxsocket in {@link ReceiveMode#STREAMED}: demand on a message's content drives the
 *       socket reads); when the HTTP client goes away the upstream connection is closed. An upstream
 *       that fails after the response started cuts the response: the service closes the HTTP
 *       connection before the last chunk of the body (the status is already sent).</li>
 *   <li>{@code POST /upload}: streams the request body upstream as ONE binary WebSocket message to
 *       the upstream's {@code /sink}, whatever its size, through the Spring adapter's session
 *       ({@link FluxsocketWebSocketSession#connection()}, since Spring's {@code WebSocketMessage} is
 *       whole), and answers 200 with the reason of the upstream's Close (the sink's count and
 *       SHA-256 of the message), or 502 if the upstream closed with another code or the connection
 *       failed.</li>
 * </ul>
 * The connections /relay opens to the upstream are handed to the tests through {@link #upstreams()}.
 */
final class SampleService implements AutoCloseable {

    private static final Logger LOG = Loggers.getLogger(SampleService.class);
    /** Wraps received heap buffers for the response without a copy. */
    private static final DefaultDataBufferFactory BUFFERS = DefaultDataBufferFactory.sharedInstance;

    /** The upstream server, e.g. {@code ws://127.0.0.1:1234}. */
    private final URI upstream;
    /** The fluxsocket client under Spring's adapter: streamed receiving, default budgets. */
    private final FluxsocketWebSocketClient client = new FluxsocketWebSocketClient(
            WebSocketClient.builder().receiveMode(ReceiveMode.STREAMED).build());
    /** Every upstream connection /relay opened, in order (added on the client's event loop). */
    private final BlockingQueue<MessageWebSocket> upstreams = new LinkedBlockingQueue<>();
    private final DisposableServer server;

    SampleService(URI upstream) {
        this.upstream = upstream;
        RouterFunction<ServerResponse> routes = RouterFunctions.route(GET("/relay"), this::relay)
                .andRoute(POST("/upload"), this::upload);
        server = HttpServer.create().host("127.0.0.1").port(0)
                .handle(new ReactorHttpHandlerAdapter(RouterFunctions.toHttpHandler(routes)))
                .bindNow();
    }

    /** The service's port on 127.0.0.1. */
    int port() {
        return server.port();
    }

    /** The upstream connections /relay opened and no test took yet, oldest first. */
    BlockingQueue<MessageWebSocket> upstreams() {
        return upstreams;
    }

    private Mono<ServerResponse> relay(ServerRequest request) {
        String query = request.uri().getRawQuery();
        URI feed = upstream.resolve("/feed" + (query == null ? "" : "?" + query));
        Flux<DataBuffer> body = Flux.usingWhen(
                client.client().connectMessages(feed).doOnNext(upstreams::add),
                ws -> ws.receive()
                        .concatMap(WebSocketMessage::content)
                        .<DataBuffer>map(BUFFERS::wrap),
                // Done, failed (the close of a failed connection has nothing left to do) or cancelled.
                ws -> ws.close().onErrorResume(e -> Mono.empty()),
                (ws, error) -> ws.close().onErrorResume(e -> Mono.empty()),
                ws -> ws.close().onErrorResume(e -> Mono.empty()))
                .onErrorResume(WebSocketException.class, e -> cut(request, feed, e));
        return ServerResponse.ok().contentType(MediaType.APPLICATION_OCTET_STREAM)
                .body(BodyInserters.fromDataBuffers(body));
    }

    /**
     * Ends a response whose upstream failed part-way. The status (200) and part of the body are out,
     * so the only way left to tell the client is to close the HTTP connection before the body's
     * last chunk: the client sees a premature close, never a complete but truncated body. The
     * failure is logged here at WARN, as an upstream failure the service expects (Spring would
     * log an error that reaches the handler after the commit at ERROR, and close the connection
     * too).
     */
    private static Flux<DataBuffer> cut(ServerRequest request, URI feed, WebSocketException error) {
        LOG.warn("relay from {} failed after the response began; closing the HTTP connection: {}", feed, error.toString());
        HttpServerResponse response = ServerHttpResponseDecorator.getNativeResponse(request.exchange().getResponse());
        response.withConnection(Connection::dispose);
        return Flux.empty();
    }

    private Mono<ServerResponse> upload(ServerRequest request) {
        Flux<ByteBuffer> content = request.body((message, context) -> message.getBody())
                .map(SampleService::toHeap);
        return Mono.defer(() -> {
            AtomicReference<CloseStatus> closed = new AtomicReference<>();
            return client.execute(upstream.resolve("/sink"), session -> ((FluxsocketWebSocketSession) session)
                            .connection()
                            .send(Mono.just(WebSocketMessage.binary(content)))
                            .then(session.closeStatus())
                            .doOnNext(closed::set)
                            .then())
                    .then(Mono.defer(() -> {
                        CloseStatus status = closed.get();
                        return status != null && status.getCode() == CloseStatus.NORMAL.getCode()
                                ? ServerResponse.ok().bodyValue(status.getReason())
                                : ServerResponse.status(HttpStatus.BAD_GATEWAY).bodyValue("upstream " + status);
                    }))
                    // The upstream failed before its answer (a failed connection, a Close during the send).
                    .onErrorResume(WebSocketException.class, e -> ServerResponse.status(HttpStatus.BAD_GATEWAY)
                            .bodyValue("upstream " + e.status() + ": " + e.getMessage()));
        });
    }

    /** Copies a request body buffer (pooled, Netty's) to the heap and releases it. */
    private static ByteBuffer toHeap(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return ByteBuffer.wrap(bytes);
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
