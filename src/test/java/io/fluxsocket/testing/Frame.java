package io.fluxsocket.testing;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * One WebSocket frame as read off the wire by {@link RawServer#readFrame()}.
 *
 * @param header  the frame's header bytes as sent: first byte, second byte (mask bit included) and
 *                the extended length, without the masking key
 * @param fin     the FIN bit
 * @param rsv     the three RSV bits, as a number 0–7
 * @param opcode  the opcode, 0–15
 * @param masked  the MASK bit
 * @param maskKey the masking key (4 bytes), or an empty array if the frame was not masked
 * @param payload the payload, unmasked
 */
public record Frame(byte[] header, boolean fin, int rsv, int opcode, boolean masked, byte[] maskKey, byte[] payload) {

    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    /**
     * The frame as hex, header then unmasked payload, the masking key left out (it is random): a
     * masked Close with code 1000 and no reason reads {@code "888203e8"}.
     */
    public String toHex() {
        return Hex.of(header) + Hex.of(payload);
    }

    /** The status code of a Close frame's payload, or -1 if the payload has fewer than 2 bytes. */
    public int closeCode() {
        return payload.length < 2 ? -1 : ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
    }

    /**
     * The reason of a Close frame, decoded strictly as UTF-8.
     *
     * @throws AssertionError if the reason is not valid UTF-8
     */
    public String closeReason() {
        if (payload.length <= 2) {
            return "";
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload, 2, payload.length - 2))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new AssertionError("the Close frame's reason is not valid UTF-8: " + Hex.of(payload), e);
        }
    }

    /**
     * Checks that this is a client Close frame with {@code code}: FIN, no RSV, masked, the 2-byte
     * code first (compared byte for byte), then a reason of valid UTF-8 that fits a control frame.
     *
     * @throws AssertionError if it is not
     */
    public void assertClose(int code) {
        int length = payload.length;
        String expected = String.format("88%02x%04x", 0x80 | length, code);
        String actual = Hex.of(header) + (length >= 2 ? Hex.of(payload).substring(0, 4) : Hex.of(payload));
        if (length < 2 || length > 125 || !expected.equals(actual)) {
            throw new AssertionError("expected a Close frame with code " + code + " (" + expected
                    + "...), got " + this);
        }
        closeReason();
    }

    @Override
    public String toString() {
        return "Frame[fin=" + fin + ", rsv=" + rsv + ", opcode=" + opcode + ", masked=" + masked + ", payload="
                + (payload.length > 64 ? payload.length + " bytes" : Hex.of(payload)) + "]";
    }
}
