package io.fluxsocket.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Encodes the client's frames (RFC 6455 section 5.2): every frame masked with a fresh key, header
 * and masked payload written into one buffer that is reserved once at its final size.
 *
 * <p>It replaces Netty's {@code WebSocket13FrameEncoder}, which spent most of an upload's CPU time
 * growing its output buffer and masking through {@code ByteBuf} accessors. Here the payload is
 * masked eight bytes at a time between NIO views of the payload and of the output, whatever the
 * payload is (direct, heap, read-only, composite), so that nothing is checked or recorded per
 * byte. What {@code MaskingBenchmark} measured is in the benchmarks' results.
 *
 * <p>Anything that is not a {@link Frame} passes through untouched. Stateless: shared by every
 * connection.
 */
@ChannelHandler.Sharable
final class FrameEncoder extends ChannelOutboundHandlerAdapter {

    static final FrameEncoder INSTANCE = new FrameEncoder();

    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Longs at any byte index of a {@link ByteBuffer}, in the platform's order. */
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, NATIVE);

    private FrameEncoder() {
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof Frame frame)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf out;
        try {
            out = encode(ctx.alloc(), frame, ThreadLocalRandom.current().nextInt());
        } catch (Throwable t) {
            promise.setFailure(t);
            return;
        } finally {
            frame.release();
        }
        ctx.write(out, promise);
    }

    /**
     * One masked frame in a new buffer of {@code alloc}: header, key, then the payload XORed with
     * {@code key}. The frame is not released.
     */
    static ByteBuf encode(ByteBufAllocator alloc, Frame frame, int key) {
        ByteBuf payload = frame.content();
        int length = payload.readableBytes();
        ByteBuf out = alloc.buffer(WebSocketProtocol.MAX_HEADER_BYTES + length);
        try {
            out.writeByte((frame.fin ? 0x80 : 0) | (frame.compressed && frame.first ? 0x40 : 0) | frame.wireOpcode().code);
            if (length <= 125) {
                out.writeByte(0x80 | length);
            } else if (length <= 0xFFFF) {
                out.writeByte(0x80 | 126).writeShort(length);
            } else {
                out.writeByte(0x80 | 127).writeLong(length);
            }
            out.writeInt(key);
            if (length > 0) {
                int at = out.writerIndex();
                ByteBuffer dst = out.nioBuffer(at, length);
                mask(payload, dst, key);
                out.writerIndex(at + length);
            }
            return out;
        } catch (Throwable t) {
            out.release();
            throw t;
        }
    }

    /** XORs the readable bytes of {@code payload} with the repeated {@code key} into {@code dst}. */
    private static void mask(ByteBuf payload, ByteBuffer dst, int key) {
        if (payload.nioBufferCount() == 1) {
            mask(payload.nioBuffer(), dst, key);
            return;
        }
        int done = 0;
        for (ByteBuffer part : payload.nioBuffers()) {
            // A part that starts off a multiple of four starts inside the key.
            int n = part.remaining();
            mask(part, dst, Integer.rotateLeft(key, 8 * (done & 3)));
            done += n;
        }
    }

    /**
     * XORs {@code src}'s remaining bytes with the key (its first byte with the key's most
     * significant byte) into {@code dst} from its position; both buffers' positions advance.
     * Eight bytes at a time through a {@link VarHandle} view, which reads heap, direct and
     * read-only buffers alike without a call that depends on the buffer's class.
     */
    private static void mask(ByteBuffer src, ByteBuffer dst, int key) {
        // Eight bytes read in the platform's order meet the key's bytes in memory order.
        int inOrder = NATIVE == ByteOrder.BIG_ENDIAN ? key : Integer.reverseBytes(key);
        long key8 = (long) inOrder << 32 | (inOrder & 0xFFFF_FFFFL);
        int s = src.position();
        int d = dst.position();
        int n = src.remaining();
        int i = 0;
        for (int end = n - 7; i < end; i += 8) {
            LONGS.set(dst, d + i, (long) LONGS.get(src, s + i) ^ key8);
        }
        for (; i < n; i++) {
            dst.put(d + i, (byte) (src.get(s + i) ^ key >>> 24 - 8 * (i & 3)));
        }
        src.position(s + n);
        dst.position(d + n);
    }
}
