package io.fluxsocket.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * A frame, or a piece of one, as the library's own handlers pass it between them: in from
 * {@link FrameDecoder} to the connection, and out from the outbound side to {@link FrameEncoder}.
 * It holds its payload (released with it).
 *
 * <p>Inbound, a data frame's payload goes up in pieces as bytes arrive: {@link #opcode} is its
 * message's type ({@link Opcode#TEXT} or {@link Opcode#BINARY}, never a continuation),
 * {@link #first} marks the message's first piece and {@link #fin} its last. A control frame goes up
 * whole, with both flags set.
 *
 * <p>Outbound, each is one whole frame: {@link #opcode} is the message's type; the encoder writes
 * it on the message's first frame and {@link Opcode#CONTINUATION} on the others, and sets FIN on
 * the last.
 *
 * <p>{@link #compressed} marks a message compressed with permessage-deflate (RSV1 on its first
 * frame on the wire): inbound every piece of it carries the flag, and its payload is still
 * compressed; outbound the encoder sets RSV1 on a first frame that carries it.
 */
final class Frame extends DefaultByteBufHolder {

    /** The message's type for data, or the control frame's opcode. */
    final Opcode opcode;
    /** The first piece (inbound) or frame (outbound) of its message. */
    final boolean first;
    /** The last piece or frame of its message. */
    final boolean fin;
    /** Its message is compressed (permessage-deflate). */
    final boolean compressed;
    /**
     * Inbound, a piece of its message's final frame as {@link FrameDecoder} read it: the payload
     * bytes of that frame still to come, so exactly the rest of the message; otherwise 0.
     */
    final long rest;

    Frame(Opcode opcode, boolean first, boolean fin, ByteBuf payload) {
        this(opcode, first, fin, false, payload);
    }

    Frame(Opcode opcode, boolean first, boolean fin, boolean compressed, ByteBuf payload) {
        this(opcode, first, fin, compressed, 0, payload);
    }

    Frame(Opcode opcode, boolean first, boolean fin, boolean compressed, long rest, ByteBuf payload) {
        super(payload);
        this.opcode = opcode;
        this.first = first;
        this.fin = fin;
        this.compressed = compressed;
        this.rest = rest;
    }

    /** A control frame: whole, first and last. */
    static Frame control(Opcode opcode, ByteBuf payload) {
        return new Frame(opcode, true, true, payload);
    }

    /** The opcode this frame carries on the wire: a continuation unless it is its message's first. */
    Opcode wireOpcode() {
        return first ? opcode : Opcode.CONTINUATION;
    }

    @Override
    public Frame replace(ByteBuf content) {
        return new Frame(opcode, first, fin, compressed, content);
    }

    @Override
    public String toString() {
        return "Frame(" + opcode + (first ? ", first" : "") + (fin ? ", fin" : "") + (compressed ? ", compressed" : "") + ", "
                + content().readableBytes() + " bytes)";
    }
}
