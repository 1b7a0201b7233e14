package io.fluxsocket.internal;

import io.fluxsocket.ReceiveMode;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
     * at most {@code maxFramePayload}.
     */
    static Outbound open(EmbeddedChannel channel, OutboundOwner owner, int maxFramePayload, int budget) {
        Outbound outbound = new Outbound(owner, channel, new ClientConfig(Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofSeconds(5), true, Map.of(), List.of(), maxFramePayload, 1024, budget, 1 << 20, ReceiveMode.WHOLE),
                new Traffic(channel.eventLoop()), null);
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
}
