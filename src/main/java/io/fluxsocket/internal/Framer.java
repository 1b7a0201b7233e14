package io.fluxsocket.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.nio.ByteBuffer;

/**
 * Cuts one message at a time into frames, with no I/O: the caller {@linkplain #add adds} the
 * message's buffers one at a time, says when there are {@linkplain #end no more}, and takes frames
 * with {@link #next} while it can write them.
 *
 * <ul>
 *   <li><b>Splitting</b>: a buffer's bytes go out in frames of {@code maxFramePayload}; whole
 *       frames are slices of it, not copies (the encoder copies them while masking, before the
 *       write returns).</li>
 *   <li><b>Coalescing</b>: bytes that do not fill a frame are copied into a coalescing buffer,
 *       which becomes a frame when it is full, when the message ends, or when the caller asks for a
 *       partial frame ({@code next(true)}: nothing more is at hand and the socket can take it).
 *       So small buffers that arrive while the socket is busy become one frame.</li>
 *   <li><b>FIN</b> is on the message's last frame: its last bytes when the end is known before
 *       they go, else an empty frame. An empty message is one empty frame.</li>
 * </ul>
 *
 * A buffer is left as it is (position and limit); it must stay unchanged until its bytes went out
 * as frames. Final payloads of up to {@link #COPY_LIMIT} bytes are copied into a pooled buffer,
 * which costs less than wrapping them. Not thread-safe: the connection's event loop only.
 */
final class Framer {

    /** Payloads up to this size are copied into a pooled buffer instead of being wrapped. */
    static final int COPY_LIMIT = 2048;
    /** The smallest coalescing buffer allocated. */
    private static final int MIN_COALESCING = 4096;

    private final ByteBufAllocator alloc;
    private final int maxFramePayload;

    /** The type of the message being framed; null between messages. */
    private Opcode type;
    /** A frame of the message was yielded: the next ones are continuations. */
    private boolean started;
    /** No buffer follows {@link #source}: the message ends with it. */
    private boolean ending;
    /** The buffer being cut, or null: its bytes from {@link #sourcePos} to its limit are not framed yet. */
    private ByteBuffer source;
    private int sourcePos;
    /** Bytes copied and not framed yet, fewer than {@code maxFramePayload}; or null. */
    private ByteBuf coalescing;
    /** Copies from buffers without an accessible array (read-only or direct); made on first use. */
    private byte[] scratch;

    Framer(ByteBufAllocator alloc, int maxFramePayload) {
        this.alloc = alloc;
        this.maxFramePayload = maxFramePayload;
    }

    /** Starts a message of {@code type} ({@link Opcode#TEXT} or {@link Opcode#BINARY}). */
    void begin(Opcode type) {
        if (this.type != null) {
            throw new IllegalStateException("a message is being framed already");
        }
        this.type = type;
        started = false;
        ending = false;
    }

    /** A message was begun and its last frame has not been yielded. */
    boolean inMessage() {
        return type != null;
    }

    /** The message wants its next buffer: the last one is all framed or coalesced, and more may come. */
    boolean needsInput() {
        return type != null && source == null && !ending;
    }

    /** The next buffer of the message; only when {@link #needsInput()}. An empty one adds nothing. */
    void add(ByteBuffer buffer) {
        if (!needsInput()) {
            throw new IllegalStateException("the framer does not need input now");
        }
        if (buffer.hasRemaining()) {
            source = buffer;
            sourcePos = buffer.position();
        }
    }

    /** No buffer follows those added: the message's last frame carries FIN. */
    void end() {
        if (type == null) {
            throw new IllegalStateException("no message is being framed");
        }
        ending = true;
    }

    /**
     * The next frame of the message, or null when none is ready: a whole frame's bytes are not
     * there yet and the message has not ended, and {@code partial} is false (or nothing is
     * coalesced). After the frame with FIN, the framer is between messages.
     *
     * @param partial yield what is coalesced as a non-final frame if no whole frame is ready
     */
    Frame next(boolean partial) {
        if (type == null) {
            return null;
        }
        if (coalescing != null) {
            if (source != null) {
                int take = Math.min(maxFramePayload - coalescing.readableBytes(), sourceRemaining());
                copyInto(coalescing, source, sourcePos, take);
                advance(take);
            }
            if (coalescing.readableBytes() == maxFramePayload || (source == null && (ending || partial))) {
                ByteBuf payload = coalescing;
                coalescing = null;
                return frame(payload, ending && source == null);
            }
            return null;
        }
        if (source != null) {
            int remaining = sourceRemaining();
            if (remaining >= maxFramePayload) {
                ByteBuf payload = Unpooled.wrappedBuffer(source.slice(sourcePos, maxFramePayload));
                advance(maxFramePayload);
                return frame(payload, ending && source == null);
            }
            if (ending) {
                ByteBuf payload = payload(source, sourcePos, remaining);
                advance(remaining);
                return frame(payload, true);
            }
            // Less than a frame, and more may come: coalesce it.
            coalescing = alloc.directBuffer(Math.min(maxFramePayload, Math.max(remaining, MIN_COALESCING)),
                    maxFramePayload);
            copyInto(coalescing, source, sourcePos, remaining);
            advance(remaining);
            return next(partial);
        }
        if (ending) {
            // Everything went out already, or the message is empty: an empty final frame.
            return frame(Unpooled.EMPTY_BUFFER, true);
        }
        return null;
    }

    /** Bytes added and not yet yielded as frames. */
    long held() {
        return (source == null ? 0 : sourceRemaining()) + (coalescing == null ? 0 : coalescing.readableBytes());
    }

    /** Drops the message being framed (what is coalesced is released); the framer is between messages. */
    void reset() {
        type = null;
        source = null;
        if (coalescing != null) {
            coalescing.release();
            coalescing = null;
        }
    }

    private Frame frame(ByteBuf payload, boolean fin) {
        Frame f = new Frame(type, !started, fin, payload);
        started = true;
        if (fin) {
            type = null;
        }
        return f;
    }

    private int sourceRemaining() {
        return source.limit() - sourcePos;
    }

    private void advance(int n) {
        sourcePos += n;
        if (sourcePos == source.limit()) {
            source = null;
        }
    }

    /** {@code length} bytes of {@code b} from {@code pos}: copied into a pooled buffer if small, else wrapped. */
    private ByteBuf payload(ByteBuffer b, int pos, int length) {
        if (length > COPY_LIMIT) {
            return Unpooled.wrappedBuffer(b.slice(pos, length));
        }
        ByteBuf copy = alloc.buffer(length);
        copyInto(copy, b, pos, length);
        return copy;
    }

    /** Appends {@code length} bytes of {@code b} from {@code pos} to {@code dst}, leaving {@code b} as it is. */
    private void copyInto(ByteBuf dst, ByteBuffer b, int pos, int length) {
        if (b.hasArray()) {
            dst.writeBytes(b.array(), b.arrayOffset() + pos, length);
        } else if (length <= COPY_LIMIT) {
            // Read-only or direct: through an array, without a view object per buffer.
            if (scratch == null) {
                scratch = new byte[COPY_LIMIT];
            }
            b.get(pos, scratch, 0, length);
            dst.writeBytes(scratch, 0, length);
        } else {
            dst.writeBytes(b.slice(pos, length));
        }
    }
}
