package io.fluxsocket.tck;

import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.ReceiveMode;
import io.fluxsocket.WebSocketMessage;

import java.nio.ByteBuffer;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;

/** The TCK's blackbox Subscriber rules for the subscriber {@link MessageWebSocket#send(Publisher)} subscribes with. */
public class MessageSendTckTest extends WebSocketSubscriberVerification<WebSocketMessage> {

    @Override
    public Subscriber<WebSocketMessage> createSubscriber() {
        return connections.sendSubscriber(publisher ->
                connections.messages(TckServer.sink(), ReceiveMode.WHOLE).send(publisher));
    }

    @Override
    public WebSocketMessage createElement(int element) {
        return WebSocketMessage.binary(ByteBuffer.allocate(Integer.BYTES).putInt(0, element));
    }

}
