package io.fluxsocket.internal;

import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.WebSocketMessage;

import java.util.Objects;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@link MessageWebSocket} over a {@link WebSocketConnection} in one of the message modes. */
final class DefaultMessageWebSocket extends AbstractWebSocket implements MessageWebSocket {

    private final Flux<WebSocketMessage> receive;

    DefaultMessageWebSocket(WebSocketConnection connection) {
        super(connection);
        // WholeMessages or StreamedMessages, as the connection's mode chose.
        Inbound inbound = connection.inbound();
        this.receive = inbound instanceof WholeMessages whole ? whole.receive() : ((StreamedMessages) inbound).receive();
    }

    @Override
    public Flux<WebSocketMessage> receive() {
        return receive;
    }

    @Override
    public Mono<Void> send(Publisher<WebSocketMessage> messages) {
        Objects.requireNonNull(messages, "messages");
        return MessageSend.of(connection.outbound(), connection.channel().eventLoop(), messages);
    }
}
