package io.fluxsocket.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.ByteBuffer;
import java.util.zip.Deflater;

/**
 * Compresses outbound messages with permessage-deflate (RFC 7692 §7.2.1) frame by frame, as the
 * framer yields them: each frame's payload is deflated and sync-flushed on its own, so a streamed
 * message stays streamed, and the message's last frame ends without the flush's
 * {@code 00 00 FF FF}. A message whose single frame is shorter than the minimum size goes out
 * uncompressed.
 *
 * <p>The JDK's {@link Deflater} always keeps a 15-bit window. When the server asks for a smaller
 * one ({@code client_max_window_bits} below 15), a full flush every {@code 2^bits} input bytes
 * keeps every back-reference inside that many bytes (a full flush forgets what came before).
 *
 * <p>Confined to the event loop. The {@link Deflater} (about 256 KiB outside the heap at level 6)
 * is made for the first compressed message and ended with {@link #release}.
 */
final class Deflation {

    private final ByteBufAllocator alloc;
    private final int level;
    private final int minMessageSize;
    private final boolean noContextTakeover;
    /** Input bytes between full flushes (a window smaller than 15 bits), or 0 for no limit. */
    private final int window;

    private Deflater deflater;
    /** The message being written is compressed. */
    private boolean compressing;
    /** Input bytes since the last full flush (with a {@link #window}). */
    private int sinceFullFlush;

    Deflation(ByteBufAllocator alloc, DeflateParameters parameters) {
        this.alloc = alloc;
        this.level = parameters.compressionLevel();
        this.minMessageSize = parameters.minMessageSize();
        this.noContextTakeover = parameters.clientNoContextTakeover();
        this.window = parameters.clientMaxWindowBits() < 15 ? 1 << parameters.clientMaxWindowBits() : 0;
    }

    /**
     * The frame to write for a data frame: a compressed one (and {@code frame} released) if its
     * message is compressed, else {@code frame} itself.
     */
    Frame apply(Frame frame) {
        if (frame.first) {
            compressing = !(frame.fin && frame.content().readableBytes() < minMessageSize);
        }
        if (!compressing) {
            return frame;
        }
        ByteBuf out;
        try {
            out = compress(frame.content(), frame.fin);
        } finally {
            frame.release();
        }
        if (frame.fin && noContextTakeover) {
            deflater.reset();
            sinceFullFlush = 0;
        }
        return new Frame(frame.opcode, frame.first, frame.fin, true, out);
    }

    /** Ends the deflater (the connection closed). */
    void release() {
        if (deflater != null) {
            deflater.end();
            deflater = null;
        }
    }

    private ByteBuf compress(ByteBuf payload, boolean fin) {
        if (deflater == null) {
            deflater = new Deflater(level, true);
        }
        int n = payload.readableBytes();
        // Most text shrinks: start at half, grow as needed.
        ByteBuf out = alloc.buffer(Math.max(64, n / 2 + 16));
        try {
            for (ByteBuffer part : payload.nioBuffers()) {
                for (int at = part.position(); at < part.limit(); ) {
                    int take = window == 0 ? part.limit() - at : Math.min(part.limit() - at, window - sinceFullFlush);
                    deflater.setInput(part.slice(at, take));
                    while (!deflater.needsInput()) {
                        deflate(out, Deflater.NO_FLUSH);
                    }
                    at += take;
                    if (window != 0 && (sinceFullFlush += take) == window) {
                        flush(out, Deflater.FULL_FLUSH);
                        sinceFullFlush = 0;
                    }
                }
            }
            flush(out, Deflater.SYNC_FLUSH);
            if (!out.isReadable()) {
                // Nothing since the last flush (zlib writes no second flush in a row). A message's
                // end must still leave the stream at a block boundary: one empty stored block
                // without its 00 00 FF FF, which the receiver puts back.
                if (fin) {
                    out.writeByte(0);
                }
            } else if (fin) {
                // RFC 7692 §7.2.1: the message ends without the sync flush's 00 00 FF FF.
                if (out.getInt(out.writerIndex() - 4) != 0x0000FFFF) {
                    throw new IllegalStateException("a sync flush that does not end with 00 00 FF FF");
                }
                out.writerIndex(out.writerIndex() - 4);
            }
            return out;
        } catch (Throwable t) {
            out.release();
            throw t;
        }
    }

    /** Flushes the deflater into {@code out} until all of it is out. */
    private void flush(ByteBuf out, int mode) {
        // The flush is complete once a call leaves room in the output (Deflater's contract).
        while (deflate(out, mode)) {
            // The output was filled: there may be more.
        }
    }

    /** One call of the deflater into {@code out}'s free space; true if it filled that space. */
    private boolean deflate(ByteBuf out, int mode) {
        out.ensureWritable(Math.max(256, out.writableBytes()));
        int room = out.writableBytes();
        int n = deflater.deflate(out.internalNioBuffer(out.writerIndex(), room), mode);
        out.writerIndex(out.writerIndex() + n);
        return n == room;
    }
}
