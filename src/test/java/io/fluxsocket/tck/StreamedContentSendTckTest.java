package io.fluxsocket.tck;

import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.ReceiveMode;
import io.fluxsocket.WebSocketMessage;

import java.nio.ByteBuffer;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import reactor.core.publisher.Mono;

/**
 * The TCK's blackbox Subscriber rules for the subscriber a streamed outbound message's content is
 * subscribed with: {@link WebSocketMessage#binary(Publisher)} sent by {@link MessageWebSocket#send}.
 */
public class StreamedContentSendTckTest extends WebSocketSubscriberVerification<ByteBuffer> {

    @Override
    public Subscriber<ByteBuffer> createSubscriber() {
        return connections.sendSubscriber(content -> connections.messages(TckServer.sink(), ReceiveMode.WHOLE)
                .send(Mono.just(WebSocketMessage.binary(content))));
    }

    @Override
    public ByteBuffer createElement(int element) {
        return ByteBuffer.allocate(Integer.BYTES).putInt(0, element);
    }

}
