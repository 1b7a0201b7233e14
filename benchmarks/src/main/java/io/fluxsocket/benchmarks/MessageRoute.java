package io.fluxsocket.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import java.util.SplittableRandom;

/**
 * {@link BenchServer}'s {@code /message?bytes=N&frame=F} route: ONE binary message of N bytes, sent
 * as frames of at most F payload bytes (the first with opcode 2, the others continuation frames,
 * the last with FIN; {@code frame >= bytes} is one frame), then a Close (1000). The payload is a
 * 1 MiB random block, built once and written again and again as retained slices, so that a message
 * of any size (1 GiB and more) costs the server no memory; writes are gated on writability. For
 * {@link SpringMessageLimits}, which looks for the largest message a client takes.
 */
final class MessageRoute extends BenchServer.RawRoute {
    private static final int BLOCK = 1 << 20;
    /** The payload bytes, repeated; never released (held for the life of the server). */
    private static final ByteBuf PAYLOAD = payload();
    /** Bytes written between flushes. */
    private static final int FLUSH_EVERY = 1 << 20;

    private final long bytes;
    private final long frame;
    /** Payload bytes of the message written so far (event loop). */
    private long sent;
    /** Payload bytes of the current frame still to write; 0 between frames (event loop). */
    private long frameLeft;
    /** Whether the first frame's header was written (event loop). */
    private boolean started;
    /** Whether {@link #pump} is running, to turn re-entrant calls into no-ops (event loop). */
    private boolean pumping;

    MessageRoute(long bytes, long frame) {
        if (bytes < 0 || frame < 1) {
            throw new IllegalArgumentException("bytes must be >= 0 and frame >= 1");
        }
        this.bytes = bytes;
        this.frame = frame;
    }

    private static ByteBuf payload() {
        SplittableRandom random = new SplittableRandom(BLOCK);
        ByteBuf b = Unpooled.directBuffer(BLOCK);
        for (int i = 0; i < BLOCK; i += 8) {
            b.writeLong(random.nextLong());
        }
        return b;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.channel().eventLoop().execute(() -> pump(ctx));
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        pump(ctx);
        ctx.fireChannelWritabilityChanged();
    }

    /** Writes frames while the channel is writable; at the message's end, the Close. */
    private void pump(ChannelHandlerContext ctx) {
        // Nothing more after a Close (ours, or the answer to the client's), or while already pumping.
        if (closeSent || pumping || !ctx.channel().isActive()) {
            return;
        }
        pumping = true;
        try {
            while (ctx.channel().isWritable()) {
                long written = 0;
                while (written < FLUSH_EVERY && (sent < bytes || !started)) {
                    if (frameLeft == 0) {
                        long size = Math.min(frame, bytes - sent);
                        ctx.write(header(!started, sent + size == bytes, size), ctx.voidPromise());
                        started = true;
                        frameLeft = size;
                        if (size == 0) {
                            break;
                        }
                    }
                    int offset = (int) (sent % BLOCK);
                    int n = (int) Math.min(frameLeft, BLOCK - offset);
                    ctx.write(PAYLOAD.retainedSlice(offset, n), ctx.voidPromise());
                    sent += n;
                    frameLeft -= n;
                    written += n;
                }
                if (sent == bytes && started) {
                    sendClose(ctx, 1000, "");
                    return;
                }
                ctx.flush();
            }
        } finally {
            pumping = false;
        }
    }

    /** A server frame's header (unmasked): binary or continuation, FIN at the message's end. */
    private static ByteBuf header(boolean first, boolean fin, long size) {
        ByteBuf h = Unpooled.buffer(10);
        h.writeByte((fin ? 0x80 : 0) | (first ? 0x2 : 0x0));
        if (size < 126) {
            h.writeByte((int) size);
        } else if (size < 65536) {
            h.writeByte(126).writeShort((int) size);
        } else {
            h.writeByte(127).writeLong(size);
        }
        return h;
    }
}
