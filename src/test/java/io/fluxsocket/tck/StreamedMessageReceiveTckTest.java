package io.fluxsocket.tck;

import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.ReceiveMode;
import io.fluxsocket.WebSocketMessage;

import org.reactivestreams.Publisher;

/**
 * The TCK's Publisher rules for {@link MessageWebSocket#receive()} in {@link ReceiveMode#STREAMED}.
 * The next message is emitted only once the current one's content completed or was cancelled, and
 * the TCK's subscribers do not read contents: so each message's content is read as it is emitted
 * (a {@code doOnNext} between the library's publisher and the TCK's subscriber, which passes
 * demand and cancellation through unchanged).
 */
public class StreamedMessageReceiveTckTest extends WebSocketPublisherVerification<WebSocketMessage> {

    @Override
    public Publisher<WebSocketMessage> createPublisher(long elements) {
        return connections.messages(TckServer.messages(elements), ReceiveMode.STREAMED).receive()
                .doOnNext(message -> message.content().subscribe(piece -> { }, error -> { }));
    }

    @Override
    public Publisher<WebSocketMessage> createFailedPublisher() {
        return connections.failedMessages(ReceiveMode.STREAMED).receive();
    }

}
