package io.fluxsocket.benchmarks;

import io.fluxsocket.spring.FluxsocketWebSocketClient;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import org.springframework.web.reactive.socket.client.WebSocketClient;

/**
 * A Spring WebFlux {@link WebSocketClient} driven the way a Spring application drives one: a
 * {@link WebSocketHandler} given to {@code execute}, reading {@code session.receive()}, each whole
 * message's {@link DataBuffer} payload counted inside the operator that receives it. It is not
 * released there: Reactor Netty releases each inbound frame itself once the operator returns (a
 * handler that keeps a payload longer calls {@code retain()} and later {@code release()}; releasing
 * it here fails with Netty's {@code IllegalReferenceCountException: refCnt: 0, decrement: 1}), and
 * the adapter's payloads are heap buffers that need no release. The handler is the same code for
 * both clients; only the client differs:
 * <ul>
 *   <li>{@code spring-reactor-netty}: Spring's own {@code new ReactorNettyWebSocketClient()}, at its
 *       defaults ({@code HttpClient.create()}, {@code WebsocketClientSpec} defaults: frames and
 *       aggregated messages up to 65,536 bytes, which a 64 KiB message fits exactly, so nothing is
 *       raised);</li>
 *   <li>{@code spring-fluxsocket}: the library's adapter, {@code new FluxsocketWebSocketClient()},
 *       at its defaults ({@code io.fluxsocket.WebSocketClient.create()}: whole messages up to 1 MiB).</li>
 * </ul>
 * Downloads only ({@link DownloadBenchmark}); no {@code wss://}.
 */
final class SpringTransfer implements Transfer {
    private final WebSocketClient client;

    private SpringTransfer(WebSocketClient client) {
        this.client = client;
    }

    /** Spring's {@code ReactorNettyWebSocketClient} with its defaults. */
    static SpringTransfer reactorNetty() {
        return new SpringTransfer(new ReactorNettyWebSocketClient());
    }

    /** The library's Spring adapter with its defaults. */
    static SpringTransfer fluxsocket() {
        return new SpringTransfer(new FluxsocketWebSocketClient());
    }

    /**
     * The handler a Spring user writes to take every message: the payload bytes of each are added
     * up as it arrives (not released: see the class comment); the total goes to {@code total} when
     * the server's Close ended {@code receive()}.
     */
    static WebSocketHandler counting(AtomicLong total) {
        return session -> session.receive()
                .reduce(0L, (count, message) -> count + message.getPayload().readableByteCount())
                .doOnNext(total::set)
                .then();
    }

    @Override
    public long download(URI uri) {
        AtomicLong total = new AtomicLong(-1);
        client.execute(uri, counting(total)).block();
        return total.get();
    }

    @Override
    public long upload(URI uri, ByteBuffer[] chunks, long bytes) {
        throw new UnsupportedOperationException("the Spring clients are measured on downloads only");
    }
}
