package io.fluxsocket.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.ArrayDeque;

/**
 * The control frames waiting to go out ahead of the next data frame: Pings in order, and of Pongs
 * only the newest (RFC 6455 §5.5.3 lets an endpoint answer only the most recent Ping). Made on
 * first use by the outbound side, as idle connections are counted in bytes. Event loop only.
 */
final class ControlFrames {

    private final ArrayDeque<Frame> frames = new ArrayDeque<>(2);

    /** A Pong answering a Ping: it replaces a Pong that waits. */
    void pong(ByteBuf payload) {
        // release() says nothing of removal (a slice shares its count): remove, then release.
        frames.removeIf(f -> {
            if (f.opcode != Opcode.PONG) {
                return false;
            }
            f.release();
            return true;
        });
        frames.add(Frame.control(Opcode.PONG, payload));
    }

    /** An empty unsolicited Pong, unless a Pong waits already (one answering a Ping is not replaced); whether it was added. */
    boolean unsolicitedPong() {
        for (Frame f : frames) {
            if (f.opcode == Opcode.PONG) {
                return false;
            }
        }
        frames.add(Frame.control(Opcode.PONG, Unpooled.EMPTY_BUFFER));
        return true;
    }

    void ping(ByteBuf payload) {
        frames.add(Frame.control(Opcode.PING, payload));
    }

    /** The next frame to write, oldest first; null if none. */
    Frame poll() {
        return frames.poll();
    }

    /** Drops every waiting frame, releasing it. */
    void clear() {
        for (Frame f; (f = frames.poll()) != null; ) {
            f.release();
        }
    }
}
