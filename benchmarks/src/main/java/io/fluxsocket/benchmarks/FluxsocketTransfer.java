package io.fluxsocket.benchmarks;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.PerMessageDeflate;
import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * fluxsocket in stream mode, default options: one {@code send} streams the whole upload; small
 * messages are one {@code send(Mono.just(buffer))} each, up to {@link #SENDS_IN_FLIGHT} subscribed
 * at a time with {@code flatMap} (the library serializes them; {@code concatMap} would wait for each
 * message to be written before subscribing the next, one event-loop round trip per message).
 */
final class FluxsocketTransfer implements Transfer {
    /**
     * Sends subscribed at once for small messages: 16–64 were equally fast in short trials (64 B:
     * 161–167 ms per 8 MiB), 256 slower (224 ms: {@code flatMap}'s drain loop scans its inners).
     */
    static final int SENDS_IN_FLIGHT = 32;
    /**
     * The keep-alive of {@code -p keepAlive=on}: a Ping after 20 s without a frame, failing 20 s
     * later without one (as a user would set it; the CLI's and Python websockets' defaults). A
     * transfer never goes 20 s without a frame, so what is measured is the keep-alive's
     * bookkeeping while data moves, not its Pings.
     */
    static final Duration KEEP_ALIVE = Duration.ofSeconds(20);
    private final WebSocketClient client;

    /** {@code trusted}: the {@code wss://} server certificate's PEM file, or null (see {@link #client}). */
    FluxsocketTransfer(Path trusted) {
        this(trusted, false);
    }

    /** With {@code metrics}, the client reports to Micrometer ({@code fluxsocket-metrics}; see {@link #client}). */
    FluxsocketTransfer(Path trusted, boolean metrics) {
        this(trusted, metrics, false);
    }

    /** With {@code keepAlive}, the client has {@link #KEEP_ALIVE} ({@code -p keepAlive=on}). */
    FluxsocketTransfer(Path trusted, boolean metrics, boolean keepAlive) {
        client = client(trusted, metrics, keepAlive);
    }

    /** A {@code ws://} client that offers permessage-deflate with its defaults ({@code PerMessageDeflate.defaults()}). */
    FluxsocketTransfer(PerMessageDeflate deflate) {
        client = WebSocketClient.builder().perMessageDeflate(deflate).build();
    }

    @Override
    public String agreedExtensions(URI uri) {
        StreamWebSocket ws = client.connect(uri).block();
        try {
            return ws.info().extensions().orElse(null);
        } finally {
            ws.close().block();
        }
    }

    /**
     * The default client, or for {@code wss://} one that trusts the server's certificate
     * ({@code trustedCertificates(Path)}, host names checked as always).
     */
    static WebSocketClient client(Path trusted) {
        return client(trusted, false);
    }

    /**
     * {@link #client(Path)}, and with {@code metrics} reporting to a Micrometer
     * {@link SimpleMeterRegistry} of its own ({@code MicrometerMetrics}, the default {@code uri} tag).
     */
    static WebSocketClient client(Path trusted, boolean metrics) {
        return client(trusted, metrics, false);
    }

    /** {@link #client(Path, boolean)}, and with {@code keepAlive} {@link #KEEP_ALIVE} ({@code keepAlive(20 s, 20 s)}). */
    static WebSocketClient client(Path trusted, boolean metrics, boolean keepAlive) {
        if (trusted == null && !metrics && !keepAlive) {
            return WebSocketClient.create();
        }
        WebSocketClient.Builder builder = WebSocketClient.builder();
        if (keepAlive) {
            builder.keepAlive(KEEP_ALIVE, KEEP_ALIVE);
        }
        if (trusted != null) {
            builder.trustedCertificates(trusted);
        }
        if (metrics) {
            builder.metrics(MicrometerMetrics.of(new SimpleMeterRegistry()));
        }
        return builder.build();
    }

    @Override
    public long download(URI uri) {
        StreamWebSocket ws = client.connect(uri).block();
        long[] count = {0};
        ws.receive().doOnNext(b -> count[0] += b.remaining()).then().block();
        return count[0];
    }

    @Override
    public long upload(URI uri, ByteBuffer[] chunks, long bytes) {
        StreamWebSocket ws = client.connect(uri).block();
        long n = bytes / chunks[0].remaining();
        Flux<ByteBuffer> data = Flux.range(0, (int) n).map(i -> chunks[i % chunks.length].duplicate());
        Mono.when(ws.send(data), ws.receive().then()).block();
        return closeCount(ws);
    }

    @Override
    public long uploadMessages(URI uri, ByteBuffer[] messages, long bytes) {
        StreamWebSocket ws = client.connect(uri).block();
        long n = bytes / messages[0].remaining();
        Mono<Void> sends = Flux.range(0, (int) n)
                .flatMap(i -> ws.send(Mono.just(messages[i % messages.length].duplicate())), SENDS_IN_FLIGHT)
                .then();
        Mono.when(sends, ws.receive().then()).block();
        return closeCount(ws);
    }

    static long closeCount(StreamWebSocket ws) {
        CloseStatus status = ws.closeStatus().block();
        return Transfer.uploadCount(status.code(), status.reason());
    }

    @Override
    public CompletableFuture<Long> downloadAsync(URI uri) {
        return client.connect(uri)
                .flatMap(ws -> ws.receive().reduce(0L, (count, b) -> count + b.remaining()))
                .toFuture();
    }

    /**
     * One {@code receive()} subscription for the whole connection counts the echoed bytes; each
     * round trip is a {@code send(Mono.just(message))}, not waited for (its completion would only
     * say the bytes were written).
     */
    @Override
    public Echo echo(URI uri, ByteBuffer message) {
        StreamWebSocket ws = client.connect(uri).block();
        Arrivals arrivals = new Arrivals();
        ws.receive().subscribe(b -> arrivals.add(b.remaining()), arrivals::fail);
        return new Echo() {
            private long expected;

            @Override
            public void roundTrip() throws Exception {
                expected += message.remaining();
                ws.send(Mono.just(message.duplicate())).subscribe(null, arrivals::fail);
                arrivals.await(expected);
            }

            @Override
            public void close() {
                ws.close().block();
            }
        };
    }

    /** One {@code receive()} subscription counts; each message is a {@code send(Mono.just(message))}. */
    @Override
    public CompletableFuture<EchoLink> openEcho(URI uri, EchoLink.Listener listener) {
        return client.connect(uri).map(ws -> {
            ws.receive().subscribe(b -> listener.received(b.remaining()), listener::failed);
            return (EchoLink) new EchoLink() {
                @Override
                public void send(ByteBuffer message) {
                    ws.send(Mono.just(message)).subscribe(null, listener::failed);
                }

                @Override
                public CompletableFuture<?> close() {
                    return ws.close().toFuture();
                }
            };
        }).toFuture();
    }

    @Override
    public AutoCloseable openIdle(URI uri) {
        StreamWebSocket ws = client.connect(uri).block();
        return () -> ws.close().block();
    }

    /** {@code receive()} with a subscriber that requests one buffer at a time, and none while paused. */
    @Override
    public SlowReader slowRead(URI uri) {
        StreamWebSocket ws = client.connect(uri).block();
        PacedSubscriber subscriber = new PacedSubscriber();
        ws.receive().subscribe(subscriber);
        return new SlowReader() {
            @Override
            public void consume(long bytes) throws Exception {
                subscriber.pacer.allow(bytes);
            }

            @Override
            public long buffered() {
                return ws.info().bytesReceived() - subscriber.pacer.consumed();
            }

            @Override
            public void close() {
                subscriber.dispose();
                ws.close().block();
            }
        };
    }

    /** Requests a buffer only when the application allows more. */
    private static final class PacedSubscriber extends BaseSubscriber<ByteBuffer> {
        final Pacer pacer = new Pacer(() -> request(1));

        @Override
        protected void hookOnSubscribe(Subscription s) {
            // Nothing until the application allows some bytes.
        }

        @Override
        protected void hookOnNext(ByteBuffer b) {
            if (pacer.took(b.remaining())) {
                request(1);
            }
        }

        @Override
        protected void hookOnError(Throwable t) {
            pacer.fail(t);
        }
    }
}
