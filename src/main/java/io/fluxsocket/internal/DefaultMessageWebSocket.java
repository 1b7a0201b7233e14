package io.fluxsocket.internal;

import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.WebSocketMessage;

import java.util.Objects;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@link MessageWebSocket} over a {@link WebSocketConnection} in one of the message modes. */
final class DefaultMessageWebSocket extends AbstractWebSocket implements MessageWebSocket {

    private final Flux<WebSocketMessage> receive;
    /** The connection's inbound side in whole mode, else null (streamed). */
    private final WholeMessages whole;

    DefaultMessageWebSocket(WebSocketConnection connection) {
        super(connection);
        // WholeMessages or StreamedMessages, as the connection's mode chose.
        Inbound inbound = connection.inbound();
        this.whole = inbound instanceof WholeMessages w ? w : null;
        this.receive = whole != null ? whole.receive() : ((StreamedMessages) inbound).receive();
    }

    @Override
    public Flux<WebSocketMessage> receive() {
        return receive;
    }

    @Override
    public <T> Flux<T> receive(Function<? super WebSocketMessage, ? extends T> reader) {
        Objects.requireNonNull(reader, "reader");
        // Streamed messages are not lent: their content is already delivered as it arrives.
        return whole != null ? whole.read(reader) : receive.map(reader);
    }

    @Override
    public Mono<Void> send(Publisher<WebSocketMessage> messages) {
        Objects.requireNonNull(messages, "messages");
        return MessageSend.of(connection.outbound(), connection.channel().eventLoop(), messages);
    }
}
