package io.fluxsocket.internal;

import io.fluxsocket.CloseStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Decodes the frames a server sends (RFC 6455 §5.2) into {@link Frame} events, passing data on as
 * it arrives: a data frame's payload goes up in pieces, each a slice of what one socket read
 * brought, so a frame of any size is never held whole. (Netty's {@code WebSocket08FrameDecoder}
 * holds every frame until its last byte arrived, which for the many servers that send a whole
 * message as one frame means holding the whole message.)
 *
 * <p>Data pieces carry their message's type, and whether they are its first and its last piece
 * ({@link Frame}); control frames (at most 125 bytes) go up whole, Close frames checked.
 *
 * <p>A violation throws {@link ProtocolViolation} with the close code to fail the connection
 * with (1002; 1007 for a Close reason that is not UTF-8; 1009 for a frame that takes its message
 * past the maximum message size); everything after it is skipped. The pieces decoded before it go
 * up first: Netty's {@link ByteToMessageDecoder} fires what was decoded before the exception. Holds
 * at most a partial header and one partial control frame (139 bytes) between reads.
 */
final class FrameDecoder extends ByteToMessageDecoder {

    private enum State { HEADER, DATA, CONTROL, CORRUPT }

    /** The longest message allowed, in bytes ({@code Long.MAX_VALUE}: no limit). */
    private final long maxMessageSize;
    /** permessage-deflate was agreed: RSV1 marks a compressed message on its first frame. */
    private final boolean deflate;

    /** Where in the frame stream the next byte belongs. */
    private State state = State.HEADER;
    /** The type of the data message being read, and the FIN bit of its current frame. */
    private Opcode messageType;
    private boolean fin;
    /** The opcode of the control frame being read. */
    private Opcode controlOpcode;
    /** Payload bytes of the current frame not read yet. */
    private long remaining;
    /** A text or binary message was started and its final frame has not come yet. */
    private boolean inMessage;
    /** The current message is compressed: its size is checked as it inflates, not here. */
    private boolean messageCompressed;
    /** A piece of the current message was passed on (the next one is not its first). */
    private boolean messageStarted;
    /** The payload lengths of the current message's frames so far, as their headers declared them. */
    private long messageLength;
    /** Counts the bytes read as frames; null: not counted (tests of the decoder alone). */
    private final Traffic traffic;

    /** A decoder with no limit on message size that counts nothing (tests). */
    FrameDecoder() {
        this(Long.MAX_VALUE, null, false);
    }

    /**
     * @param maxMessageSize the longest message allowed: a frame header that takes a message past
     *                       it fails with 1009 before any of that frame's payload is read
     * @param traffic        counts the bytes read, once per read; null for none
     * @param deflate        permessage-deflate was agreed: RSV1 is allowed on a message's first frame
     */
    FrameDecoder(long maxMessageSize, Traffic traffic, boolean deflate) {
        this.maxMessageSize = maxMessageSize;
        this.traffic = traffic;
        this.deflate = deflate;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int before = in.readableBytes();
        try {
            decodeFrames(in, out);
        } catch (ProtocolViolation e) {
            // Nothing after a violation is read as frames. (ByteToMessageDecoder passes the
            // exception on wrapped in a DecoderException.)
            state = State.CORRUPT;
            in.skipBytes(in.readableBytes());
            throw e;
        } finally {
            if (traffic != null) {
                traffic.received(before - in.readableBytes());
            }
        }
    }

    private void decodeFrames(ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            switch (state) {
                case HEADER:
                    if (!readHeader(in, out)) {
                        return;
                    }
                    break;
                case DATA:
                    int n = (int) Math.min(remaining, in.readableBytes());
                    remaining -= n;
                    emitData(in.readRetainedSlice(n), out);
                    if (remaining == 0) {
                        state = State.HEADER;
                    }
                    break;
                case CONTROL:
                    if (in.readableBytes() < remaining) {
                        return;
                    }
                    emitControl(in.readRetainedSlice((int) remaining), out);
                    state = State.HEADER;
                    break;
                default:
                    in.skipBytes(in.readableBytes());
                    return;
            }
        }
    }

    /** Reads a whole header if it is there; false if more bytes are needed. */
    private boolean readHeader(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 2) {
            return false;
        }
        int start = in.readerIndex();
        int b0 = in.getUnsignedByte(start);
        int b1 = in.getUnsignedByte(start + 1);
        int length7 = b1 & 0x7F;
        int headerLength = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((b1 & 0x80) != 0 ? 4 : 0);
        if (in.readableBytes() < headerLength) {
            return false;
        }
        boolean frameFin = (b0 & 0x80) != 0;
        int rsv = (b0 & 0x70) >> 4;
        Opcode opcode = Opcode.of(b0);
        boolean rsv1 = rsv == 4 && deflate;
        if (rsv != 0 && !rsv1) {
            throw ProtocolViolation.protocolError("RSV bits set (" + rsv + ") and no extension was negotiated"
                    + (deflate ? " that uses them (permessage-deflate uses RSV1 only)" : ""));
        }
        if ((b1 & 0x80) != 0) {
            throw ProtocolViolation.protocolError("the server sent a masked frame");
        }
        long length = length7;
        if (length7 == 126) {
            length = in.getUnsignedShort(start + 2);
            if (length < 126) {
                throw ProtocolViolation.protocolError("payload length " + length + " not in its minimal encoding");
            }
        } else if (length7 == 127) {
            length = in.getLong(start + 2);
            if (length < 0) {
                throw ProtocolViolation.protocolError("payload length with its most significant bit set");
            }
            if (length <= 0xFFFF) {
                throw ProtocolViolation.protocolError("payload length " + length + " not in its minimal encoding");
            }
        }
        if (opcode == null) {
            throw ProtocolViolation.protocolError("reserved " + ((b0 & 0x08) != 0 ? "control" : "data")
                    + " opcode " + (b0 & 0x0F));
        }
        if (rsv1 && (opcode.isControl() || opcode == Opcode.CONTINUATION)) {
            throw ProtocolViolation.protocolError("RSV1 set on a " + (opcode.isControl() ? "control" : "continuation")
                    + " frame (permessage-deflate sets it on a message's first frame only)");
        }
        if (opcode.isControl()) {
            if (!frameFin) {
                throw ProtocolViolation.protocolError("fragmented control frame");
            }
            if (length > WebSocketProtocol.MAX_CONTROL_PAYLOAD) {
                throw ProtocolViolation.protocolError("control frame with a payload of " + length + " bytes, more than 125");
            }
        } else if (opcode == Opcode.CONTINUATION) {
            if (!inMessage) {
                throw ProtocolViolation.protocolError("continuation frame outside a fragmented message");
            }
        } else {
            if (inMessage) {
                throw ProtocolViolation.protocolError("a new data frame inside a fragmented message");
            }
            inMessage = true;
            messageStarted = false;
            messageLength = 0;
            messageType = opcode;
            messageCompressed = rsv1;
        }
        if (!opcode.isControl() && !messageCompressed) {
            if (length > maxMessageSize - messageLength) {
                throw new ProtocolViolation(CloseStatus.MESSAGE_TOO_BIG, "a message longer than " + maxMessageSize
                        + " bytes (maxMessageSize): a frame of " + length + " bytes after " + messageLength);
            }
            messageLength += length;
        }
        in.skipBytes(headerLength);
        remaining = length;
        if (opcode.isControl()) {
            controlOpcode = opcode;
            state = State.CONTROL;
            if (length == 0) {
                emitControl(Unpooled.EMPTY_BUFFER, out);
                state = State.HEADER;
            }
            return true;
        }
        fin = frameFin;
        if (length == 0) {
            emitData(Unpooled.EMPTY_BUFFER, out);
        } else {
            state = State.DATA;
        }
        return true;
    }

    private void emitData(ByteBuf piece, List<Object> out) {
        boolean last = fin && remaining == 0;
        out.add(new Frame(messageType, !messageStarted, last, messageCompressed, fin ? remaining : 0, piece));
        messageStarted = true;
        if (last) {
            inMessage = false;
        }
    }

    private void emitControl(ByteBuf payload, List<Object> out) {
        if (controlOpcode == Opcode.CLOSE) {
            try {
                checkClose(payload);
            } catch (ProtocolViolation e) {
                payload.release();
                throw e;
            }
        }
        out.add(Frame.control(controlOpcode, payload));
    }

    /** A Close body is empty, or a code that may be received followed by UTF-8 (RFC 6455 §5.5.1). */
    private static void checkClose(ByteBuf payload) {
        int length = payload.readableBytes();
        if (length == 0) {
            return;
        }
        if (length == 1) {
            throw ProtocolViolation.protocolError("Close frame with a 1-byte payload");
        }
        int code = payload.getUnsignedShort(payload.readerIndex());
        if (!WebSocketProtocol.isLegalToReceive(code)) {
            throw ProtocolViolation.protocolError("Close frame with code " + code + ", which may not be sent");
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(payload.nioBuffer(payload.readerIndex() + 2, length - 2));
        } catch (CharacterCodingException e) {
            throw new ProtocolViolation(CloseStatus.INVALID_PAYLOAD, "Close frame reason is not valid UTF-8");
        }
    }

    /** The code of a checked Close frame's payload, {@link CloseStatus#NO_STATUS_RECEIVED} for none. */
    static int closeCode(ByteBuf payload) {
        return payload.readableBytes() < 2 ? CloseStatus.NO_STATUS_RECEIVED : payload.getUnsignedShort(payload.readerIndex());
    }

    /** The reason of a checked Close frame's payload, empty for none. */
    static String closeReason(ByteBuf payload) {
        return payload.readableBytes() <= 2 ? ""
                : payload.toString(payload.readerIndex() + 2, payload.readableBytes() - 2, StandardCharsets.UTF_8);
    }
}
