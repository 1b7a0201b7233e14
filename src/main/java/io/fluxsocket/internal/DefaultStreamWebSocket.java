package io.fluxsocket.internal;

import io.fluxsocket.StreamWebSocket;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@link StreamWebSocket} over a {@link WebSocketConnection} in stream mode. The blocking adapters
 * are the interface's own, built on this public API.
 */
final class DefaultStreamWebSocket extends AbstractWebSocket implements StreamWebSocket {

    private final InboundFlow inbound;
    private final Flux<ByteBuffer> receive;

    DefaultStreamWebSocket(WebSocketConnection connection) {
        super(connection);
        this.inbound = (InboundFlow) connection.inbound();
        this.receive = inbound.receive();
    }

    @Override
    public Flux<ByteBuffer> receive() {
        return receive;
    }

    @Override
    public <T> Flux<T> receive(Function<? super ByteBuffer, ? extends T> reader) {
        Objects.requireNonNull(reader, "reader");
        return inbound.read(reader);
    }

    @Override
    public Mono<Void> send(Publisher<ByteBuffer> message) {
        Objects.requireNonNull(message, "message");
        return new StreamSend(connection.outbound(), connection.channel().eventLoop(), message);
    }
}
