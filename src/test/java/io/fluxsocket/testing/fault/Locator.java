package io.fluxsocket.testing.fault;

import io.netty.buffer.ByteBuf;

/**
 * Finds a {@link Position} in one direction's bytes as they pass: it scans for the end of the HTTP
 * head and, for a frame position, parses the frame headers after it (RFC 6455 §5.2), far enough to
 * know the position's stream offset before the bytes at it pass. Event loop only.
 */
final class Locator {

    private final Position position;

    /** Bytes of the direction seen so far. */
    private long seen;
    /** How many bytes of {@code CR LF CR LF} the last bytes matched. */
    private int headMatched;
    /** The stream offset of the first byte after the HTTP head, or -1 while unknown. */
    private long headEnd = -1;
    /** The stream offset of the position, or -1 while unknown. */
    private long target = -1;

    // The frame being parsed (frame positions only).
    /** Its first byte's stream offset. */
    private long frameStart;
    /** Its header bytes seen so far, and the header's length once known (-1 before). */
    private int headerSeen;
    private int headerLength = -1;
    private final byte[] header = new byte[14];
    /** Payload bytes of the frame still to pass once the header is complete. */
    private long payloadLeft;
    /** Data frames that started before this one. */
    private int dataFramesBefore;
    /** Whether this frame is a data frame (known from its first byte). */
    private boolean data;

    Locator(Position position) {
        this.position = position;
        if (position.kind() == Position.Kind.STREAM) {
            target = position.offset();
        }
    }

    /**
     * Takes the buffer's readable bytes (without moving its reader index), which follow those taken
     * before, and answers how many of them come before the position: the buffer's length when the
     * position is not among them (or right after them, if known to be there), else fewer.
     */
    int before(ByteBuf buf) {
        int length = buf.readableBytes();
        long start = seen;
        long end = start + length;
        long pos = start;
        while (true) {
            if (target >= 0) {
                seen = end;
                return target <= end ? (int) (Math.max(target, start) - start) : length;
            }
            if (pos >= end) {
                seen = end;
                return length;
            }
            int index = buf.readerIndex() + (int) (pos - start);
            if (headEnd < 0) {
                scanHead(buf.getByte(index));
                pos++;
                if (headEnd < 0 && headMatched == 4) {
                    headEnd = pos;
                    frameStart = pos;
                    if (position.kind() == Position.Kind.AFTER_HEAD) {
                        target = headEnd + position.offset();
                    }
                }
            } else {
                pos += frameStep(buf, index, pos, end - pos);
            }
        }
    }

    /** Whether the position is known and among (or right after) the bytes taken so far. */
    boolean reached() {
        return target >= 0 && target <= seen;
    }

    private void scanHead(byte b) {
        byte expected = (byte) (headMatched % 2 == 0 ? '\r' : '\n');
        if (b == expected) {
            headMatched++;
        } else {
            headMatched = b == '\r' ? 1 : 0;
        }
    }

    /** Parses one header byte or skips payload bytes at stream offset {@code pos}; how many it took. */
    private int frameStep(ByteBuf buf, int index, long pos, long available) {
        boolean framePosition = position.kind() == Position.Kind.FRAME_HEADER
                || position.kind() == Position.Kind.FRAME_PAYLOAD;
        if (!framePosition) {
            // Nothing to find after the head: the target is known or never will be.
            return (int) available;
        }
        if (headerLength < 0 || headerSeen < headerLength) {
            header[headerSeen++] = buf.getByte(index);
            if (headerSeen == 1) {
                int opcode = header[0] & 0x0f;
                data = opcode <= 2;
                if (data && dataFramesBefore == position.frame() && position.kind() == Position.Kind.FRAME_HEADER) {
                    target = frameStart + position.offset();
                }
            }
            if (headerSeen == 2) {
                int length7 = header[1] & 0x7f;
                headerLength = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((header[1] & 0x80) != 0 ? 4 : 0);
            }
            if (headerLength >= 0 && headerSeen == headerLength) {
                payloadLeft = payloadLength();
                if (data && dataFramesBefore == position.frame() && position.kind() == Position.Kind.FRAME_PAYLOAD
                        && position.offset() < payloadLeft) {
                    target = pos + 1 + position.offset();
                }
                if (payloadLeft == 0) {
                    nextFrame(pos + 1);
                }
            }
            return 1;
        }
        long n = Math.min(payloadLeft, available);
        payloadLeft -= n;
        if (payloadLeft == 0) {
            nextFrame(pos + n);
        }
        return (int) n;
    }

    private long payloadLength() {
        int length7 = header[1] & 0x7f;
        if (length7 < 126) {
            return length7;
        }
        int bytes = length7 == 126 ? 2 : 8;
        long length = 0;
        for (int i = 0; i < bytes; i++) {
            length = length << 8 | (header[2 + i] & 0xff);
        }
        return length;
    }

    private void nextFrame(long start) {
        if (data) {
            dataFramesBefore++;
        }
        frameStart = start;
        headerSeen = 0;
        headerLength = -1;
        data = false;
    }
}
