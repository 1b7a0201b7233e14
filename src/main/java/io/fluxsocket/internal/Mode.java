package io.fluxsocket.internal;

import io.fluxsocket.ReceiveMode;
import io.netty.channel.EventLoop;

/** What a connection receives as: stream mode's bytes, or message mode's whole or streamed messages. */
enum Mode {

    STREAM,
    WHOLE_MESSAGES,
    STREAMED_MESSAGES;

    static Mode messages(ReceiveMode receiveMode) {
        return receiveMode == ReceiveMode.STREAMED ? STREAMED_MESSAGES : WHOLE_MESSAGES;
    }

    /**
     * The decoder: only whole messages have a size limit, checked on frame headers (on the
     * inflated bytes for compressed ones, by {@link Inflation}).
     */
    FrameDecoder decoder(ClientConfig config, Traffic traffic, boolean deflate) {
        return new FrameDecoder(maxMessageSize(config), traffic, deflate);
    }

    /** The longest message this mode accepts ({@code Long.MAX_VALUE}: no limit). */
    long maxMessageSize(ClientConfig config) {
        return this == WHOLE_MESSAGES ? config.maxMessageSize() : Long.MAX_VALUE;
    }

    /** The inbound side, with the connection's byte budget; {@code readCheck} reads the socket when it should. */
    Inbound inbound(EventLoop eventLoop, ClientConfig config, Runnable readCheck) {
        switch (this) {
            case WHOLE_MESSAGES:
                return new WholeMessages(eventLoop, config.receiveBufferBytes(), config.maxMessageSize(), readCheck);
            case STREAMED_MESSAGES:
                return new StreamedMessages(eventLoop, config.receiveBufferBytes(), readCheck);
            default:
                return new InboundFlow(eventLoop, config.receiveBufferBytes(), readCheck);
        }
    }
}
