package io.fluxsocket.internal;

import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.WebSocketMessage;

import java.util.Objects;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@link MessageWebSocket} over a {@link WebSocketConnection} in one of the message modes. */
final class DefaultMessageWebSocket extends AbstractWebSocket implements MessageWebSocket {

    private final Flux<WebSocketMessage> inbound;

    @SuppressWarnings("unchecked")
    DefaultMessageWebSocket(WebSocketConnection connection) {
        super(connection);
        // WholeMessages or StreamedMessages, as the connection's mode chose.
        this.inbound = (Flux<WebSocketMessage>) connection.inbound();
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
}
