package io.fluxsocket.tck;

import io.fluxsocket.StreamWebSocket;

import java.nio.ByteBuffer;
import java.util.function.Function;
import org.reactivestreams.Publisher;

/** The TCK's Publisher rules for {@link StreamWebSocket#receive(Function)}, reading each piece's size. */
public class StreamReceiveReaderTckTest extends WebSocketPublisherVerification<Integer> {

    @Override
    public Publisher<Integer> createPublisher(long elements) {
        return connections.stream(TckServer.messages(elements)).receive(ByteBuffer::remaining);
    }

    @Override
    public Publisher<Integer> createFailedPublisher() {
        return connections.failedStream().receive(ByteBuffer::remaining);
    }
}
