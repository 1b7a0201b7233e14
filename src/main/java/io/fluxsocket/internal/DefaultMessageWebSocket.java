package io.fluxsocket.internal;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.WebSocketInfo;
import io.fluxsocket.WebSocketMessage;

import java.util.Objects;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@link MessageWebSocket} over a {@link WebSocketConnection} in one of the message modes. */
final class DefaultMessageWebSocket implements MessageWebSocket {

    private final WebSocketConnection connection;
    private final Flux<WebSocketMessage> inbound;

    @SuppressWarnings("unchecked")
    DefaultMessageWebSocket(WebSocketConnection connection) {
        this.connection = connection;
        // WholeMessages or StreamedMessages, as the connection's mode chose.
        this.inbound = (Flux<WebSocketMessage>) connection.inbound();
    }

    WebSocketConnection connection() {
        return connection;
    }

    @Override
    public Flux<WebSocketMessage> receive() {
        return inbound;
    }

    @Override
    public Mono<Void> send(Publisher<WebSocketMessage> messages) {
        Objects.requireNonNull(messages, "messages");
        return connection.sendMessages(messages);
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
    public String toString() {
        return "MessageWebSocket[" + connection.channel() + "]";
    }
}
