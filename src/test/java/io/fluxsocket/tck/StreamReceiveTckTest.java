package io.fluxsocket.tck;

import io.fluxsocket.StreamWebSocket;

import java.nio.ByteBuffer;
import org.reactivestreams.Publisher;

/** The TCK's Publisher rules for {@link StreamWebSocket#receive()}. */
public class StreamReceiveTckTest extends WebSocketPublisherVerification<ByteBuffer> {

    @Override
    public Publisher<ByteBuffer> createPublisher(long elements) {
        return connections.stream(TckServer.messages(elements)).receive();
    }

    @Override
    public Publisher<ByteBuffer> createFailedPublisher() {
        return connections.failedStream().receive();
    }
}
