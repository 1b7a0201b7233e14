package io.fluxsocket.tck;

import io.fluxsocket.ReceiveMode;
import io.fluxsocket.WebSocketMessage;

import java.nio.ByteBuffer;
import org.reactivestreams.Publisher;

/**
 * The TCK's Publisher rules for the {@link WebSocketMessage#content()} of a message received in
 * {@link ReceiveMode#STREAMED}: a publisher of {@code n} elements is a message of {@code n} small
 * frames (one empty frame for {@code n == 0}).
 */
public class StreamedContentTckTest extends WebSocketPublisherVerification<ByteBuffer> {

    @Override
    public Publisher<ByteBuffer> createPublisher(long elements) {
        return connections.streamedMessage(TckServer.fragments(elements)).content();
    }

    @Override
    public Publisher<ByteBuffer> createFailedPublisher() {
        return connections.failedStreamedMessage().content();
    }

}
