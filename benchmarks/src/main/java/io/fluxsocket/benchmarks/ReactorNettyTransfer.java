package io.fluxsocket.benchmarks;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

/**
 * Raw Reactor Netty: {@code HttpClient.websocket()}, {@code receiveFrames()} to read and
 * {@code sendObject} of {@link BinaryWebSocketFrame}s to write (each chunk its own message). The
 * client is {@code HttpClient.newConnection()}: WebSocket connections are never reused, and the
 * default pool (500 connections) would cap the concurrency scenario. With {@code compress},
 * {@code WebsocketClientSpec.builder().compress(true)}: Netty's {@code WebSocketClientCompressionHandler}
 * (permessage-deflate at level 6, and the older deflate-frame drafts, offered together).
 */
final class ReactorNettyTransfer implements Transfer {
    private final HttpClient http;
    private final WebsocketClientSpec spec;

    /**
     * {@code trusted}: for {@code wss://}, the server certificate's PEM file, trusted the way
     * Reactor Netty's reference shows, {@code secure(spec -> spec.sslContext(Http11SslContextSpec
     * .forClient().configure(builder -> builder.trustManager(file))))}: Netty's
     * {@code SslContextBuilder.forClient().trustManager(file)}, and Reactor Netty's default host
     * name check ({@code HttpClientSecurityUtils.HOSTNAME_VERIFICATION_CONFIGURER}).
     */
    ReactorNettyTransfer(Path trusted) {
        this(trusted, false);
    }

    ReactorNettyTransfer(Path trusted, boolean compress) {
        spec = WebsocketClientSpec.builder().maxFramePayloadLength(1 << 20).compress(compress).build();
        HttpClient plain = HttpClient.newConnection();
        http = trusted == null ? plain : plain.secure(ssl -> ssl.sslContext(
                Http11SslContextSpec.forClient().configure(builder -> builder.trustManager(trusted.toFile()))));
    }

    /** {@code WebsocketInbound.headers()}: the server's handshake response headers. */
    @Override
    public String agreedExtensions(URI uri) {
        return http.websocket(spec).uri(uri)
                .handle((in, out) -> Mono.justOrEmpty(in.headers().get("Sec-WebSocket-Extensions")))
                .next().block();
    }

    @Override
    public long download(URI uri) throws Exception {
        return downloadAsync(uri).get();
    }

    @Override
    public CompletableFuture<Long> downloadAsync(URI uri) {
        return http.websocket(spec).uri(uri).handle((in, out) -> in.receiveFrames()
                        .reduce(0L, (count, f) -> count + f.content().readableBytes()))
                .next().toFuture();
    }

    @Override
    public long upload(URI uri, ByteBuffer[] chunks, long bytes) {
        long n = bytes / chunks[0].remaining();
        WebSocketCloseStatus status = http.websocket(spec).uri(uri).handle((in, out) -> {
            Flux<BinaryWebSocketFrame> frames = Flux.range(0, (int) n)
                    .map(i -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(chunks[i % chunks.length].duplicate())));
            return out.sendObject(frames).then().then(in.receiveCloseStatus());
        }).blockLast();
        return Transfer.uploadCount(status.code(), status.reasonText());
    }

    /** Frames go out through a unicast sink given to {@code sendObject}; {@code receiveFrames()} counts. */
    @Override
    public Echo echo(URI uri, ByteBuffer message) {
        Arrivals arrivals = new Arrivals();
        Sinks.Many<WebSocketFrame> outbound = Sinks.many().unicast().onBackpressureBuffer();
        CompletableFuture<Void> open = new CompletableFuture<>();
        Disposable connection = http.websocket(spec).uri(uri).handle((in, out) -> {
            open.complete(null);
            return Mono.when(out.sendObject(outbound.asFlux()).then(),
                    in.receiveFrames().doOnNext(f -> arrivals.add(f.content().readableBytes())).then());
        }).subscribe(null, e -> {
            open.completeExceptionally(e);
            arrivals.fail(e);
        });
        open.join();
        return new Echo() {
            private long expected;

            @Override
            public void roundTrip() throws Exception {
                expected += message.remaining();
                outbound.emitNext(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(message.duplicate())),
                        Sinks.EmitFailureHandler.FAIL_FAST);
                arrivals.await(expected);
            }

            @Override
            public void close() {
                connection.dispose();
            }
        };
    }

    /** As {@link #echo}: a unicast sink given to {@code sendObject}; closing disposes the connection. */
    @Override
    public CompletableFuture<EchoLink> openEcho(URI uri, EchoLink.Listener listener) {
        Sinks.Many<WebSocketFrame> outbound = Sinks.many().unicast().onBackpressureBuffer();
        CompletableFuture<EchoLink> open = new CompletableFuture<>();
        Disposable[] connection = new Disposable[1];
        connection[0] = http.websocket(spec).uri(uri).handle((in, out) -> {
            open.complete(new EchoLink() {
                @Override
                public void send(ByteBuffer message) {
                    // The event loop's next send can meet the caller's first one still draining the sink.
                    outbound.emitNext(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(message)),
                            Sinks.EmitFailureHandler.busyLooping(java.time.Duration.ofSeconds(1)));
                }

                @Override
                public CompletableFuture<?> close() {
                    connection[0].dispose();
                    return CompletableFuture.completedFuture(null);
                }
            });
            return Mono.when(out.sendObject(outbound.asFlux()).then(),
                    in.receiveFrames().doOnNext(f -> listener.received(f.content().readableBytes())).then());
        }).subscribe(null, e -> {
            if (!open.completeExceptionally(e)) {
                listener.failed(e);
            }
        });
        return open;
    }

    @Override
    public AutoCloseable openIdle(URI uri) {
        CompletableFuture<Void> open = new CompletableFuture<>();
        Disposable connection = http.websocket(spec).uri(uri).handle((in, out) -> {
            open.complete(null);
            return in.receiveFrames().then();
        }).subscribe(null, open::completeExceptionally);
        open.join();
        return connection::dispose;
    }

    /** {@code receiveFrames()} with a subscriber that requests one frame at a time, none while paused. */
    @Override
    public SlowReader slowRead(URI uri) {
        Pacer[] pacer = new Pacer[1];
        BaseSubscriber<Integer> subscriber = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                // Nothing until the application allows some bytes.
            }

            @Override
            protected void hookOnNext(Integer bytes) {
                if (pacer[0].took(bytes)) {
                    request(1);
                }
            }

            @Override
            protected void hookOnError(Throwable t) {
                pacer[0].fail(t);
            }
        };
        pacer[0] = new Pacer(() -> subscriber.request(1));
        http.websocket(spec).uri(uri).handle((in, out) -> in.receiveFrames().map(f -> f.content().readableBytes()))
                .subscribe(subscriber);
        return new SlowReader() {
            @Override
            public void consume(long bytes) throws Exception {
                pacer[0].allow(bytes);
            }

            @Override
            public void close() {
                subscriber.dispose();
            }
        };
    }
}
