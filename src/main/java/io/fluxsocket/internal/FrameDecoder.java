package io.fluxsocket.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Decodes the frames a server sends (RFC 6455 §5.2) and passes data on as it arrives: a data
 * frame's payload goes up in pieces, each a slice of what one socket read brought, so a frame of
 * any size is never held whole. Netty's {@code WebSocket08FrameDecoder} holds every frame until its
 * last byte arrived, which for the many servers that send a whole message as one frame means
 * holding the whole message; this decoder does not.
 *
 * <p>What goes up: the first piece of a message is a {@link BinaryWebSocketFrame} or
 * {@link TextWebSocketFrame}, every later piece a {@link ContinuationWebSocketFrame}; a piece is
 * final ({@code isFinalFragment()}) only when it ends the message. Control frames (at most 125
 * bytes) go up whole as {@link PingWebSocketFrame}, {@link PongWebSocketFrame} and checked
 * {@link CloseWebSocketFrame}s.
 *
 * <p>Violations throw {@link CorruptedWebSocketFrameException} with the close code to fail the
 * connection with (1002, 1007 for a Close reason that is not UTF-8, 1009 for a frame that takes its
 * message past the maximum message size); everything after is
 * skipped. The pieces decoded before it still go up first. Holds at most a partial header and one
 * partial control frame (139 bytes) between reads.
 */
final class FrameDecoder extends ByteToMessageDecoder {

    private static final int OPCODE_CONTINUATION = 0x0;
    private static final int OPCODE_TEXT = 0x1;
    private static final int OPCODE_BINARY = 0x2;
    private static final int OPCODE_CLOSE = 0x8;
    private static final int OPCODE_PING = 0x9;
    private static final int OPCODE_PONG = 0xA;

    private enum State { HEADER, DATA, CONTROL, CORRUPT }

    /** The longest message allowed, in bytes ({@code Long.MAX_VALUE}: no limit). */
    private final long maxMessageSize;

    /** Where in the frame stream the next byte belongs. */
    private State state = State.HEADER;
    /** The opcode of the data message being read, and the FIN bit of its current frame. */
    private int opcode;
    private boolean fin;
    /** The opcode of the control frame being read. */
    private int controlOpcode;
    /** Payload bytes of the current frame not read yet. */
    private long remaining;
    /** A text or binary message was started and its final frame has not come yet. */
    private boolean inMessage;
    /** A piece of the current message was passed on (the next one is a continuation). */
    private boolean messageStarted;
    /** The payload lengths of the current message's frames so far, as their headers declared them. */
    private long messageLength;

    /** A decoder with no limit on message size (stream mode, streamed messages). */
    FrameDecoder() {
        this(Long.MAX_VALUE);
    }

    /**
     * @param maxMessageSize the longest message allowed: a frame header that takes a message past
     *                       it fails with 1009 before any of that frame's payload is read
     */
    FrameDecoder(long maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
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
        int frameOpcode = b0 & 0x0F;
        if (rsv != 0) {
            throw violation("RSV bits set (" + rsv + ") and no extension was negotiated");
        }
        if ((b1 & 0x80) != 0) {
            throw violation("the server sent a masked frame");
        }
        long length = length7;
        if (length7 == 126) {
            length = in.getUnsignedShort(start + 2);
            if (length < 126) {
                throw violation("payload length " + length + " not in its minimal encoding");
            }
        } else if (length7 == 127) {
            length = in.getLong(start + 2);
            if (length < 0) {
                throw violation("payload length with its most significant bit set");
            }
            if (length <= 0xFFFF) {
                throw violation("payload length " + length + " not in its minimal encoding");
            }
        }
        if (frameOpcode >= OPCODE_CLOSE) {
            if (frameOpcode > OPCODE_PONG) {
                throw violation("reserved control opcode " + frameOpcode);
            }
            if (!frameFin) {
                throw violation("fragmented control frame");
            }
            if (length > 125) {
                throw violation("control frame with a payload of " + length + " bytes, more than 125");
            }
        } else if (frameOpcode == OPCODE_CONTINUATION) {
            if (!inMessage) {
                throw violation("continuation frame outside a fragmented message");
            }
        } else if (frameOpcode == OPCODE_TEXT || frameOpcode == OPCODE_BINARY) {
            if (inMessage) {
                throw violation("a new data frame inside a fragmented message");
            }
            inMessage = true;
            messageStarted = false;
            messageLength = 0;
            opcode = frameOpcode;
        } else {
            throw violation("reserved data opcode " + frameOpcode);
        }
        if (frameOpcode < OPCODE_CLOSE) {
            if (length > maxMessageSize - messageLength) {
                throw new CorruptedWebSocketFrameException(WebSocketCloseStatus.MESSAGE_TOO_BIG,
                        "a message longer than " + maxMessageSize + " bytes (maxMessageSize): a frame of " + length
                                + " bytes after " + messageLength);
            }
            messageLength += length;
        }
        in.skipBytes(headerLength);
        remaining = length;
        if (frameOpcode < OPCODE_CLOSE) {
            fin = frameFin;
        }
        if (frameOpcode >= OPCODE_CLOSE) {
            controlOpcode = frameOpcode;
            state = State.CONTROL;
            if (length == 0) {
                emitControl(Unpooled.EMPTY_BUFFER, out);
                state = State.HEADER;
            }
        } else if (length == 0) {
            emitData(Unpooled.EMPTY_BUFFER, out);
        } else {
            state = State.DATA;
        }
        return true;
    }

    private void emitData(ByteBuf piece, List<Object> out) {
        boolean last = fin && remaining == 0;
        if (!messageStarted) {
            messageStarted = true;
            out.add(opcode == OPCODE_TEXT ? new TextWebSocketFrame(last, 0, piece) : new BinaryWebSocketFrame(last, 0, piece));
        } else {
            out.add(new ContinuationWebSocketFrame(last, 0, piece));
        }
        if (last) {
            inMessage = false;
        }
    }

    private void emitControl(ByteBuf payload, List<Object> out) {
        if (controlOpcode == OPCODE_PING) {
            out.add(new PingWebSocketFrame(payload));
        } else if (controlOpcode == OPCODE_PONG) {
            out.add(new PongWebSocketFrame(payload));
        } else {
            try {
                checkClose(payload);
            } catch (CorruptedWebSocketFrameException e) {
                payload.release();
                throw e;
            }
            out.add(new CloseWebSocketFrame(true, 0, payload));
        }
    }

    /** A Close body is empty, or a code that may be received followed by UTF-8 (RFC 6455 §5.5.1). */
    private static void checkClose(ByteBuf payload) {
        int length = payload.readableBytes();
        if (length == 0) {
            return;
        }
        if (length == 1) {
            throw violation("Close frame with a 1-byte payload");
        }
        int code = payload.getUnsignedShort(payload.readerIndex());
        if (!WebSocketProtocol.isLegalToReceive(code)) {
            throw violation("Close frame with code " + code + ", which may not be sent");
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(payload.nioBuffer(payload.readerIndex() + 2, length - 2));
        } catch (CharacterCodingException e) {
            throw new CorruptedWebSocketFrameException(WebSocketCloseStatus.INVALID_PAYLOAD_DATA,
                    "Close frame reason is not valid UTF-8");
        }
    }

    private static CorruptedWebSocketFrameException violation(String reason) {
        return new CorruptedWebSocketFrameException(WebSocketCloseStatus.PROTOCOL_ERROR, reason);
    }

    @Override
    protected void callDecode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            super.callDecode(ctx, in, out);
        } catch (CorruptedWebSocketFrameException e) {
            // Nothing after a violation is read as frames.
            state = State.CORRUPT;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }
}
