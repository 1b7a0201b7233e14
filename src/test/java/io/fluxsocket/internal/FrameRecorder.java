package io.fluxsocket.internal;

import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;
import reactor.netty.http.websocket.WebsocketInbound;

/** Records the data frames a server receives: type, FIN and payload, in order. Thread-safe. */
final class FrameRecorder {

    /** One received data frame. */
    record Frame(boolean continuation, boolean fin, byte[] payload) {
    }

    private final List<Frame> frames = new ArrayList<>();

    /** A server handler body: records every data frame until the client closes. */
    Mono<Void> record(WebsocketInbound in) {
        return in.receiveFrames().doOnNext(this::add).then();
    }

    private void add(WebSocketFrame frame) {
        if (frame instanceof BinaryWebSocketFrame || frame instanceof ContinuationWebSocketFrame) {
            byte[] bytes = new byte[frame.content().readableBytes()];
            frame.content().getBytes(frame.content().readerIndex(), bytes);
            synchronized (frames) {
                frames.add(new Frame(frame instanceof ContinuationWebSocketFrame, frame.isFinalFragment(), bytes));
            }
        }
    }

    List<Frame> frames() {
        synchronized (frames) {
            return new ArrayList<>(frames);
        }
    }

    /** The messages so far: frames joined from a first frame to the one with FIN. */
    List<byte[]> messages() {
        List<byte[]> messages = new ArrayList<>();
        ByteArrayOutputStream current = null;
        for (Frame f : frames()) {
            if (!f.continuation()) {
                if (current != null) {
                    throw new AssertionError("a new message started before the previous one ended");
                }
                current = new ByteArrayOutputStream();
            } else if (current == null) {
                throw new AssertionError("a continuation frame outside a message");
            }
            current.writeBytes(f.payload());
            if (f.fin()) {
                messages.add(current.toByteArray());
                current = null;
            }
        }
        return messages;
    }
}
