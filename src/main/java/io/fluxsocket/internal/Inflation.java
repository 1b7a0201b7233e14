package io.fluxsocket.internal;

import io.fluxsocket.CloseStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates the messages the server compressed with permessage-deflate (RFC 7692 §7.2.2), in
 * pieces of at most {@link #STEP} bytes, and only while the receiving side has room for them.
 *
 * <p>The bound: a piece is inflated only while {@code room} says the inbound side wants data (its
 * byte budget is not full), so the inflated bytes count against {@code receiveBufferBytes} like any
 * received data; what is not inflated yet stays compressed here. While anything waits here the
 * owner does not read the socket, so what waits is at most what one socket read brought (the
 * pieces it was decoded into, in their order, compressed or not: an uncompressed piece or the end
 * of the inbound side that comes after a waiting piece waits behind it). A whole message that
 * inflates past {@code maxMessageSize} fails with 1009 before the rest of it is inflated.
 *
 * <p>Confined to the connection's event loop. The {@link Inflater} (about 40 KiB outside the
 * heap) and a 2 KiB array for small compressed pieces are made for the first compressed message,
 * and dropped with {@link #release}. Per inflated piece the only object made is its {@link Frame}
 * (the pooled buffer it carries aside): small pieces are copied into that array, and the inflater
 * writes into the pooled buffer's own array.
 */
final class Inflation {

    /** The most bytes inflated at a time. */
    static final int STEP = 16 * 1024;
    /**
     * The largest piece copied into {@link #input} rather than viewed in place: a view of a direct
     * buffer is an object per piece (64 B), a copy of a small piece costs less than that.
     */
    static final int COPIED_INPUT = 2 * 1024;
    /** What the sender removed from the end of each message (RFC 7692 §7.2.2). */
    private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};

    private final ByteBufAllocator alloc;
    private final boolean noContextTakeover;
    private final long maxMessageSize;
    /** Whether the inbound side wants data now. */
    private final BooleanSupplier room;
    /** Takes an inflated or uncompressed piece (and releases nothing: the caller does). */
    private final Consumer<Frame> sink;

    private Inflater inflater;
    /** Where small pieces of direct buffers are copied for the inflater (a last one with its message's tail); made with it. */
    private byte[] input;
    /** Pieces not handed on yet, oldest first (each retained); the head may be partly inflated. */
    private final ArrayDeque<Frame> waiting = new ArrayDeque<>(4);
    /** The head's bytes were given to the inflater, and its message's tail too. */
    private boolean headStarted;
    private boolean tailGiven;
    /** The next inflated piece is its message's first; the bytes its message inflated to so far. */
    private boolean firstOut = true;
    private long inflated;
    /** Compressed bytes of the current message so far. */
    private long compressed;
    /** A drain is on the stack: a re-entrant call returns (the loop sees what changed). */
    private boolean draining;
    /** Run once nothing waits any more (the end of the inbound side, held behind the pieces), or null. */
    private Runnable whenDrained;

    Inflation(ByteBufAllocator alloc, DeflateParameters parameters, long maxMessageSize, BooleanSupplier room,
            Consumer<Frame> sink) {
        this.alloc = alloc;
        this.noContextTakeover = parameters.serverNoContextTakeover();
        this.maxMessageSize = maxMessageSize;
        this.room = room;
        this.sink = sink;
    }

    /** Pieces wait here: the socket is not read until they are handed on. */
    boolean holds() {
        return !waiting.isEmpty();
    }

    /**
     * Takes a data piece: a compressed one is inflated as far as there is room, an uncompressed
     * one handed on as it is, once the pieces before it were.
     *
     * @throws ProtocolViolation for compressed data that is not deflate (1007), a whole message
     *     that inflates past the limit (1009), or what the sink refuses
     */
    void add(Frame piece) {
        if (!piece.compressed && waiting.isEmpty()) {
            sink.accept(piece);
            return;
        }
        piece.retain();
        waiting.add(piece);
        drain();
    }

    /** Goes on where room stopped it; the owner calls it when the inbound side may have room again. */
    void resume() {
        if (!waiting.isEmpty()) {
            drain();
        }
        if (waiting.isEmpty() && whenDrained != null) {
            Runnable r = whenDrained;
            whenDrained = null;
            r.run();
        }
    }

    /**
     * Ends {@code inbound}: at once with an error (what waits is dropped); normally once what waits
     * was handed on, as data queued in the inbound side is delivered before its end. The inflater
     * is ended with it.
     */
    void end(Inbound inbound, Throwable error) {
        if (error != null) {
            release();
            inbound.terminate(error);
            return;
        }
        Runnable end = () -> {
            release();
            inbound.terminate(null);
        };
        if (waiting.isEmpty()) {
            end.run();
        } else {
            whenDrained = end;
        }
    }

    /** Drops what waits and ends the inflater: the connection failed, or the inbound side ended. */
    void release() {
        for (Frame f; (f = waiting.poll()) != null; ) {
            f.release();
        }
        whenDrained = null;
        if (inflater != null) {
            inflater.end();
            inflater = null;
            input = null;
        }
    }

    private void drain() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            Frame head;
            while ((head = waiting.peek()) != null) {
                if (!head.compressed) {
                    waiting.poll();
                    try {
                        sink.accept(head);
                    } finally {
                        head.release();
                    }
                } else if (room.getAsBoolean()) {
                    inflateStep(head);
                } else {
                    return;
                }
            }
        } finally {
            draining = false;
        }
    }

    /**
     * Inflates up to {@link #STEP} bytes of the head piece and hands them on; the head leaves the
     * queue once all of it is inflated. Each step takes input or fills its output: the loop ends.
     */
    private void inflateStep(Frame head) {
        Inflater in = inflater();
        if (!headStarted) {
            headStarted = true;
            tailGiven = false;
            if (head.first) {
                firstOut = true;
                inflated = 0;
                compressed = 0;
            }
            compressed += head.content().readableBytes();
            setInput(in, head.content(), head.fin && compressed > 0);
        }
        ByteBuf out = alloc.heapBuffer(STEP, STEP);
        try {
            fill(in, head, out);
            // Done with the piece once all of it (and for the message's last, the tail) is taken;
            // the message ends with the output that did not fill the step (nothing more inside).
            boolean pieceDone = in.finished() || (in.needsInput() && (!head.fin || tailGiven));
            boolean last = pieceDone && head.fin && (out.isWritable() || in.finished());
            inflated += out.readableBytes();
            if (inflated > maxMessageSize) {
                throw new ProtocolViolation(CloseStatus.MESSAGE_TOO_BIG, "a compressed message that inflates to more than "
                        + maxMessageSize + " bytes (maxMessageSize)");
            }
            if (pieceDone && !last && head.fin) {
                // The step was filled exactly: the next one (perhaps empty) ends the message.
                pieceDone = false;
            }
            if (out.isReadable() || last) {
                Frame piece = new Frame(head.opcode, firstOut, last, out.retain());
                firstOut = false;
                try {
                    sink.accept(piece);
                } finally {
                    piece.release();
                }
            }
            if (pieceDone) {
                waiting.poll().release();
                headStarted = false;
                if (last && (noContextTakeover || in.finished())) {
                    // A new deflate stream starts with the next message.
                    in.reset();
                }
            }
        } finally {
            out.release();
        }
    }

    /**
     * Gives the inflater a piece without making an object for it where it can: its array if it has
     * one; a copy in {@link #input} if it is small (a socket's direct buffer); else a view of it. The
     * inflater reads it until the piece is done: {@link #input} holds one piece at a time. A copied
     * message's last piece takes the tail with it, so that one inflate call can take the whole piece
     * (a call into zlib costs about as much as inflating a few hundred bytes).
     */
    private void setInput(Inflater in, ByteBuf piece, boolean last) {
        int n = piece.readableBytes();
        if (piece.hasArray()) {
            in.setInput(piece.array(), piece.arrayOffset() + piece.readerIndex(), n);
        } else if (n <= COPIED_INPUT) {
            piece.getBytes(piece.readerIndex(), input, 0, n);
            if (last && n > 0) {
                System.arraycopy(TAIL, 0, input, n, TAIL.length);
                tailGiven = true;
                n += TAIL.length;
            }
            in.setInput(input, 0, n);
        } else {
            in.setInput(piece.nioBuffer());
        }
    }

    /**
     * Inflates into {@code out} (empty, {@link #STEP} bytes of room) until it is full or the piece
     * (and its message's tail) is all taken; straight into its array where it has one, which costs
     * no view object per step (a view of a pooled buffer's array cost two, 96 B per message).
     */
    private void fill(Inflater in, Frame head, ByteBuf out) {
        byte[] array = out.hasArray() ? out.array() : null;
        int offset = array != null ? out.arrayOffset() : 0;
        ByteBuffer dst = array != null ? null : out.internalNioBuffer(0, STEP);
        int filled = 0;
        try {
            while (filled < STEP && !in.finished()) {
                int n = array != null ? in.inflate(array, offset + filled, STEP - filled) : in.inflate(dst);
                filled += n;
                if (in.needsInput()) {
                    // All input taken, and with room left in the output nothing is pending in the
                    // inflater: the message's tail (if it is not given yet) is all that may follow.
                    if (!head.fin || tailGiven) {
                        break;
                    }
                    // An empty payload is an empty message: the tail alone would leave the
                    // inflater inside a stored block's header, for the next message to break on.
                    if (compressed > 0) {
                        in.setInput(TAIL);
                    }
                    tailGiven = true;
                } else if (n == 0 && in.needsDictionary()) {
                    throw new ProtocolViolation(CloseStatus.INVALID_PAYLOAD, "compressed data that asks for a preset dictionary");
                }
            }
        } catch (DataFormatException e) {
            throw new ProtocolViolation(CloseStatus.INVALID_PAYLOAD, "compressed data that is not valid deflate: " + e.getMessage());
        }
        out.writerIndex(filled);
    }

    private Inflater inflater() {
        if (inflater == null) {
            inflater = new Inflater(true);
            input = new byte[COPIED_INPUT + TAIL.length];
        }
        return inflater;
    }
}
