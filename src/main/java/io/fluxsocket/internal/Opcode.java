package io.fluxsocket.internal;

/**
 * The opcodes of RFC 6455 §5.2 and §11.8, the one table of them: what a frame header's four
 * opcode bits mean. The other values are reserved and are refused by {@link FrameDecoder}.
 */
enum Opcode {

    CONTINUATION(0x0),
    TEXT(0x1),
    BINARY(0x2),
    CLOSE(0x8),
    PING(0x9),
    PONG(0xA);

    /** By wire code; null for the reserved ones (0x3-0x7, 0xB-0xF). */
    private static final Opcode[] BY_CODE = new Opcode[16];

    static {
        for (Opcode o : values()) {
            BY_CODE[o.code] = o;
        }
    }

    /** The four bits on the wire. */
    final int code;

    Opcode(int code) {
        this.code = code;
    }

    /** Control frames (Close, Ping, Pong): at most 125 bytes, never fragmented (RFC 6455 §5.5). */
    boolean isControl() {
        return code >= 0x8;
    }

    /** The opcode of a header's low four bits, or null if it is reserved. */
    static Opcode of(int code) {
        return BY_CODE[code & 0xF];
    }
}
