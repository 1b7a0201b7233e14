package io.fluxsocket.tck;

import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.ReceiveMode;

import java.util.function.Function;
import org.reactivestreams.Publisher;

/**
 * The TCK's Publisher rules for {@link MessageWebSocket#receive(Function)} in
 * {@link ReceiveMode#WHOLE}, reading each message's payload size.
 */
public class MessageReceiveReaderTckTest extends WebSocketPublisherVerification<Integer> {

    @Override
    public Publisher<Integer> createPublisher(long elements) {
        return connections.messages(TckServer.messages(elements), ReceiveMode.WHOLE).receive(m -> m.payload().remaining());
    }

    @Override
    public Publisher<Integer> createFailedPublisher() {
        return connections.failedMessages(ReceiveMode.WHOLE).receive(m -> m.payload().remaining());
    }
}
