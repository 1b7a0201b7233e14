package io.fluxsocket.internal;

import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.io.WebSocketInputStream;
import io.fluxsocket.io.WebSocketOutputStream;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@link StreamWebSocket} over a {@link WebSocketConnection} in stream mode. */
final class DefaultStreamWebSocket extends AbstractWebSocket implements StreamWebSocket {

    private final InboundFlow inbound;

    DefaultStreamWebSocket(WebSocketConnection connection) {
        super(connection);
        this.inbound = (InboundFlow) connection.inbound();
    }

    @Override
    public Flux<ByteBuffer> receive() {
        return inbound;
    }

    @Override
    public <T> Flux<T> receive(Function<? super ByteBuffer, ? extends T> reader) {
        Objects.requireNonNull(reader, "reader");
        return inbound.read(reader);
    }

    @Override
    public Mono<Void> send(Publisher<ByteBuffer> message) {
        Objects.requireNonNull(message, "message");
        return connection.send(message);
    }

    @Override
    public InputStream inputStream() {
        return WebSocketInputStream.of(this);
    }

    @Override
    public OutputStream outputStream() {
        return WebSocketOutputStream.of(this);
    }
}
