package io.fluxsocket.internal;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebSocketInfo;
import io.fluxsocket.io.WebSocketInputStream;
import io.fluxsocket.io.WebSocketOutputStream;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@link StreamWebSocket} over a {@link WebSocketConnection}. */
final class DefaultStreamWebSocket implements StreamWebSocket {

    private final WebSocketConnection connection;
    private final InboundFlow inbound;

    DefaultStreamWebSocket(WebSocketConnection connection) {
        this.connection = connection;
        this.inbound = (InboundFlow) connection.inbound();
    }

    WebSocketConnection connection() {
        return connection;
    }

    @Override
    public Flux<ByteBuffer> receive() {
        return inbound;
    }

    @Override
    public Mono<Void> send(Publisher<ByteBuffer> message) {
        Objects.requireNonNull(message, "message");
        return connection.send(message);
    }

    @Override
    public Mono<Void> close(int code, String reason) {
        return connection.close(code, reason);
    }

    @Override
    public Mono<CloseStatus> closeStatus() {
        return connection.closeStatus();
    }

    @Override
    public WebSocketInfo info() {
        return connection;
    }

    @Override
    public InputStream inputStream() {
        return WebSocketInputStream.of(this);
    }

    @Override
    public OutputStream outputStream() {
        return WebSocketOutputStream.of(this);
    }

    @Override
    public String toString() {
        return "StreamWebSocket[" + connection.channel() + "]";
    }
}
