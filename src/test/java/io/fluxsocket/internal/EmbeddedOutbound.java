package io.fluxsocket.internal;

import io.fluxsocket.ReceiveMode;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketException;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link Outbound} at the end of an {@link EmbeddedChannel}'s pipeline, bound and told of
 * writability as the connection does it, for the tests that drive it without a socket; and the
 * frames it wrote, read as {@code opcode[+fin]:hex} (the wire opcode).
 */
final class EmbeddedOutbound {

    private EmbeddedOutbound() {
    }

    /**
     * Adds the outbound's own handler last in {@code channel}'s pipeline (after the handlers the test
     * put there) and returns the outbound, with {@code budget} bytes of outbound buffer and frames of
     * at most {@code maxFramePayload}; {@code owner} is its connection's side.
     */
    static Outbound open(EmbeddedChannel channel, Owner owner, int maxFramePayload, int budget) {
        Outbound outbound = new Outbound(owner, channel, new ClientConfig(Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofSeconds(5), true, Map.of(), List.of(), maxFramePayload, 1024, budget, 1 << 20, ReceiveMode.WHOLE),
                new Traffic(channel.eventLoop()), null);
        owner.outbound = outbound;
        channel.pipeline().addLast(new ChannelDuplexHandler() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                outbound.bind(ctx);
            }

            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                if (ctx.channel().isWritable()) {
                    outbound.onWritable();
                }
            }
        });
        return outbound;
    }

    /** What reached the end of {@code channel}'s pipeline, released. */
    static List<String> written(EmbeddedChannel channel) {
        List<String> frames = new ArrayList<>();
        for (Object o; (o = channel.readOutbound()) != null; ) {
            frames.add(describe((Frame) o));
        }
        return frames;
    }

    /** {@code opcode[+fin]:hex} of {@code frame}, which is released. */
    static String describe(Frame frame) {
        try {
            return frame.wireOpcode() + (frame.fin ? "+fin" : "") + ":" + ByteBufUtil.hexDump(frame.content());
        } finally {
            frame.release();
        }
    }

    /**
     * The connection's side, as the real owner does it: any failure ends the outbound side. It
     * records the write failures and the Closes sent.
     */
    static final class Owner implements OutboundOwner {

        /** Set by {@link #open}. */
        Outbound outbound;
        final List<Throwable> writeFailures = new ArrayList<>();
        final AtomicInteger closesSent = new AtomicInteger();

        @Override
        public void messageAborted(String reason, Throwable cause) {
            outbound.terminate(new WebSocketException(WebErrorStatus.CLOSED, reason, cause));
        }

        @Override
        public void sendTimedOut(WebSocketException timeout) {
            outbound.terminate(timeout);
        }

        @Override
        public WebSocketException writeFailed(Throwable cause) {
            writeFailures.add(cause);
            WebSocketException error = new WebSocketException(WebErrorStatus.CONNECTION_RESET, "lost", cause);
            outbound.terminate(error);
            return error;
        }

        @Override
        public void closeSent() {
            closesSent.incrementAndGet();
        }
    }
}
