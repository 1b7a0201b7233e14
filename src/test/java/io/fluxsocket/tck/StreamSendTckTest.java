package io.fluxsocket.tck;

import io.fluxsocket.StreamWebSocket;

import java.nio.ByteBuffer;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;

/** The TCK's blackbox Subscriber rules for the subscriber {@link StreamWebSocket#send(Publisher)} subscribes with. */
public class StreamSendTckTest extends WebSocketSubscriberVerification<ByteBuffer> {

    @Override
    public Subscriber<ByteBuffer> createSubscriber() {
        return connections.sendSubscriber(publisher -> connections.stream(TckServer.sink()).send(publisher));
    }

    @Override
    public ByteBuffer createElement(int element) {
        return ByteBuffer.allocate(Integer.BYTES).putInt(0, element);
    }

}
