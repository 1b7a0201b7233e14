package io.fluxsocket.internal;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * RFC 6455 constants and the checks of what goes on the wire. The frame layout that
 * {@link FrameDecoder} reads and {@link FrameEncoder} writes (the opcodes are {@link Opcode}):
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-------+-+-------------+-------------------------------+
 * |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 * |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 * |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 * | |1|2|3|       |K|             |                               |
 * +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 * |     Extended payload length continued, if payload len == 127  |
 * + - - - - - - - - - - - - - - - +-------------------------------+
 * |                               |Masking-key, if MASK set to 1  |
 * +-------------------------------+-------------------------------+
 * | Masking-key (continued)       |          Payload Data         |
 * +-------------------------------- - - - - - - - - - - - - - - - +
 * </pre>
 */
final class WebSocketProtocol {

    /** The GUID of RFC 6455 §1.3, appended to the key to compute {@code Sec-WebSocket-Accept}. */
    static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** The largest payload of a control frame (§5.5). */
    static final int MAX_CONTROL_PAYLOAD = 125;

    /** The longest close reason that fits a control frame: 125 bytes less the 2-byte code. */
    static final int MAX_REASON_BYTES = MAX_CONTROL_PAYLOAD - 2;

    /** The largest frame header: 2 bytes, an 8-byte length, a 4-byte masking key. */
    static final int MAX_HEADER_BYTES = 14;

    /** The bytes of a client frame's header (masking key included) for a payload of {@code length} bytes. */
    static int clientHeaderBytes(long length) {
        return 6 + (length <= 125 ? 0 : length <= 0xFFFF ? 2 : 8);
    }

    private WebSocketProtocol() {
    }

    /** An {@code INVALID_ARGUMENT} exception whose message starts with the argument's name. */
    static WebSocketException invalid(String argument, String problem) {
        return new WebSocketException(WebErrorStatus.INVALID_ARGUMENT, argument + ": " + problem);
    }

    /**
     * Whether an endpoint may put {@code code} in a Close frame (§7.4): 1000–1003, 1007–1014 and
     * 3000–4999. 1004 is reserved; 1005, 1006 and 1015 must never be sent.
     */
    static boolean isLegalToSend(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    /**
     * Whether a Close frame from the peer may carry {@code code}: what may be sent; 1004, 1005,
     * 1006, 1015 and the unassigned ranges are protocol errors.
     */
    static boolean isLegalToReceive(int code) {
        return isLegalToSend(code);
    }

    /** Validates a close code and reason before anything is sent. */
    static void checkClose(int code, String reason) {
        if (!isLegalToSend(code)) {
            throw invalid("code", code + " may not be sent in a Close frame (allowed: 1000-1003, 1007-1014, 3000-4999)");
        }
        if (reason == null) {
            throw invalid("reason", "must not be null");
        }
        int bytes = reason.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_REASON_BYTES) {
            throw invalid("reason", "is " + bytes + " bytes of UTF-8, more than the " + MAX_REASON_BYTES + " allowed");
        }
    }

    /** Cuts a reason to what a Close frame can carry, on a character boundary. */
    static String truncateReason(String reason) {
        String r = reason == null ? "" : reason;
        while (r.getBytes(StandardCharsets.UTF_8).length > MAX_REASON_BYTES) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }

    /** {@code Sec-WebSocket-Accept} for a key: base64(SHA-1(key + GUID)). */
    static String acceptFor(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JDK", e);
        }
    }

    /** A Close frame with {@code code} and {@code reason} (cut to fit); none for 1005. */
    static Frame closeFrame(ByteBufAllocator alloc, int code, String reason) {
        if (code == CloseStatus.NO_STATUS_RECEIVED) {
            return Frame.control(Opcode.CLOSE, Unpooled.EMPTY_BUFFER);
        }
        ByteBuf payload = alloc.buffer(2 + MAX_REASON_BYTES);
        payload.writeShort(code);
        payload.writeCharSequence(truncateReason(reason), StandardCharsets.UTF_8);
        return Frame.control(Opcode.CLOSE, payload);
    }
}
