package io.fluxsocket.tck;

import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.ReceiveMode;
import io.fluxsocket.WebSocketMessage;

import org.reactivestreams.Publisher;

/** The TCK's Publisher rules for {@link MessageWebSocket#receive()} in {@link ReceiveMode#WHOLE}. */
public class MessageReceiveTckTest extends WebSocketPublisherVerification<WebSocketMessage> {

    @Override
    public Publisher<WebSocketMessage> createPublisher(long elements) {
        return connections.messages(TckServer.messages(elements), ReceiveMode.WHOLE).receive();
    }

    @Override
    public Publisher<WebSocketMessage> createFailedPublisher() {
        return connections.failedMessages(ReceiveMode.WHOLE).receive();
    }
}
