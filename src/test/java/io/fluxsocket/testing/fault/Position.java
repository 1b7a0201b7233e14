package io.fluxsocket.testing.fault;

/**
 * Where in one direction's bytes a terminal {@link Fault} takes effect: the fault happens after
 * the bytes before the position were forwarded, and no byte at or after it is. A position is
 * either a byte offset (from the first byte of the direction, or from the first byte after the
 * HTTP head, the first {@code CRLF CRLF}) or a place in the WebSocket frame layout after the head,
 * found by parsing the frame headers as they pass (RFC 6455 §5.2): a byte inside the header or the
 * payload of the {@code n}th data frame (text, binary or continuation; control frames between
 * them are not counted).
 *
 * @param kind   how {@code offset} is counted
 * @param frame  the data frame (from 0) of a frame position
 * @param offset the byte offset, or the offset inside the frame's header or payload
 */
public record Position(Kind kind, int frame, long offset) {

    /** How a position is counted. */
    public enum Kind {
        /** From the first byte of the direction (inside the HTTP head, for a small offset). */
        STREAM,
        /** From the first byte after the HTTP head. */
        AFTER_HEAD,
        /** Inside the header of a data frame: after {@code offset} (≥ 1) of its header bytes. */
        FRAME_HEADER,
        /** Inside the payload of a data frame: after {@code offset} of its payload bytes. */
        FRAME_PAYLOAD
    }

    public Position {
        if (offset < 0 || frame < 0) {
            throw new IllegalArgumentException("a negative offset or frame");
        }
        if (kind == Kind.FRAME_HEADER && (offset < 1 || offset > 13)) {
            // Offset 0 would be the boundary before the frame; 14 is the longest header.
            throw new IllegalArgumentException("a header offset from 1 to 13");
        }
    }

    /** After {@code offset} bytes of the direction (HTTP head included). */
    public static Position stream(long offset) {
        return new Position(Kind.STREAM, 0, offset);
    }

    /** After {@code offset} bytes past the HTTP head. */
    public static Position afterHead(long offset) {
        return new Position(Kind.AFTER_HEAD, 0, offset);
    }

    /** After {@code bytes} (1 to 13) bytes of the header of data frame {@code frame}. */
    public static Position frameHeader(int frame, int bytes) {
        return new Position(Kind.FRAME_HEADER, frame, bytes);
    }

    /**
     * After {@code bytes} payload bytes of data frame {@code frame}; the frame's payload must be
     * longer than that, or the position is never reached in it.
     */
    public static Position framePayload(int frame, long bytes) {
        return new Position(Kind.FRAME_PAYLOAD, frame, bytes);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case STREAM -> "byte " + offset;
            case AFTER_HEAD -> "byte " + offset + " after the head";
            case FRAME_HEADER -> "header byte " + offset + " of data frame " + frame;
            case FRAME_PAYLOAD -> "payload byte " + offset + " of data frame " + frame;
        };
    }
}
