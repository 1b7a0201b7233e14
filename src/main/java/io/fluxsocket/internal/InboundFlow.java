package io.fluxsocket.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

import java.nio.ByteBuffer;

/**
 * The inbound side of one connection in stream mode: the bytes of received binary messages,
 * copied to the heap as they arrive and queued within a byte budget for the single subscriber of
 * {@code receive()}, which requests them as buffers. Text messages are refused with 1003.
 *
 * <p>Bound on what it holds: the owner reads only while {@link #wantsRead()} is true, i.e. while
 * fewer than {@code budget} bytes are queued, and one socket read is at most 64 KiB, all of which
 * {@link FrameDecoder} passes on at once as payload pieces. So the queue stays under
 * {@code budget + 64 KiB}; the decoder itself keeps at most a partial header or control frame.
 */
final class InboundFlow extends QueuedInbound<ByteBuffer> {

    InboundFlow(EventLoop eventLoop, int budget, Runnable readCheck) {
        super(eventLoop, budget, readCheck);
    }

    /** A piece of a binary message arrived; copied, so the caller keeps (and releases) its buffer. */
    @Override
    public void onData(ByteBuf payload, boolean start, boolean text, boolean end) {
        if (start && text) {
            throw new CorruptedWebSocketFrameException(WebSocketCloseStatus.INVALID_MESSAGE_TYPE,
                    "stream mode accepts binary messages only; the server sent a text message");
        }
        int n = payload.readableBytes();
        if (n == 0 || !accepting()) {
            // Nothing to deliver, or nobody will read it: the subscriber left, the flow ended, or
            // closing with nobody subscribed.
            return;
        }
        ByteBuffer copy = ByteBuffer.allocate(n);
        payload.getBytes(payload.readerIndex(), copy);
        copy.flip();
        enqueue(copy, n);
    }
}
