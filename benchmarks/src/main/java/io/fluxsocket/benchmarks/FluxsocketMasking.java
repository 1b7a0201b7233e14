package io.fluxsocket.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A benchmark-only COPY of the library's client frame encoding: {@code FrameEncoder.encode} and
 * its {@code mask} methods in {@code src/main/java/io/fluxsocket/internal/FrameEncoder.java}, as of
 * commit {@code 4059ced}. The library's internal classes are not API (they become package-private
 * and unexported), so {@link MaskingBenchmark} and {@link WriteTrackingBenchmark} measure this copy.
 *
 * <p><b>Keep it in step with the library's encoder</b>: when the library changes how it encodes or
 * masks a frame (buffer sizing, the eight-byte loop, the handling of composite payloads), change
 * this copy the same way in the same commit, or {@code MaskingBenchmark}'s {@code fluxsocket} row
 * stops measuring the library. What it does: one output buffer reserved at the frame's final size
 * (largest header + payload), header and key written, then the payload XORed with the key eight
 * bytes at a time through a {@link MethodHandles#byteBufferViewVarHandle} view of {@code long[]} in
 * the platform's byte order, between NIO views of the payload and of the output, the tail byte by
 * byte.
 */
final class FluxsocketMasking {

    /** The largest header: 2 bytes, an 8-byte length, a 4-byte key. */
    private static final int MAX_HEADER = 14;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Longs at any byte index of a {@link ByteBuffer}, in the platform's order. */
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, NATIVE);

    private FluxsocketMasking() {
    }

    /**
     * One masked frame in a new buffer of {@code alloc}: header, key, then the payload XORed with
     * {@code key}. The frame is not released.
     */
    static ByteBuf encode(ByteBufAllocator alloc, WebSocketFrame frame, int key) {
        ByteBuf payload = frame.content();
        int length = payload.readableBytes();
        ByteBuf out = alloc.buffer(MAX_HEADER + length);
        try {
            out.writeByte((frame.isFinalFragment() ? 0x80 : 0) | (frame.rsv() & 7) << 4 | opcode(frame));
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

    private static int opcode(WebSocketFrame frame) {
        if (frame instanceof BinaryWebSocketFrame) {
            return 0x2;
        }
        if (frame instanceof ContinuationWebSocketFrame) {
            return 0x0;
        }
        if (frame instanceof TextWebSocketFrame) {
            return 0x1;
        }
        if (frame instanceof CloseWebSocketFrame) {
            return 0x8;
        }
        if (frame instanceof PingWebSocketFrame) {
            return 0x9;
        }
        if (frame instanceof PongWebSocketFrame) {
            return 0xA;
        }
        throw new IllegalArgumentException("cannot encode a " + frame.getClass().getSimpleName());
    }
}
