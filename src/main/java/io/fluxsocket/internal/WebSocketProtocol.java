package io.fluxsocket.internal;

import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * RFC 6455 constants and the checks on arguments that go on the wire.
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
 *
 * Netty's {@code WebSocket13FrameEncoder}/{@code WebSocket13FrameDecoder} read and write this
 * layout; this class holds what the library adds on top.
 */
public final class WebSocketProtocol {

    /** The GUID of RFC 6455 §1.3, appended to the key to compute {@code Sec-WebSocket-Accept}. */
    static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** The longest close reason that fits a control frame: 125 bytes less the 2-byte code. */
    public static final int MAX_REASON_BYTES = 123;

    /** Request headers the opening handshake sets itself, lower case. */
    private static final Set<String> RESERVED_HEADERS = Set.of("host", "upgrade", "connection",
            "content-length", "transfer-encoding");

    private WebSocketProtocol() {
    }

    /** An {@code INVALID_ARGUMENT} exception whose message starts with the argument's name. */
    public static WebSocketException invalid(String argument, String problem) {
        return new WebSocketException(WebErrorStatus.INVALID_ARGUMENT, argument + ": " + problem);
    }

    /**
     * Whether an endpoint may put {@code code} in a Close frame (RFC 6455 §7.4): 1000–1003,
     * 1007–1014 and 3000–4999. 1004 is reserved; 1005, 1006 and 1015 must never be sent.
     */
    public static boolean isLegalToSend(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    /**
     * Whether a Close frame from the peer may carry {@code code}: what may be sent; 1004, 1005,
     * 1006, 1015 and the unassigned ranges are protocol errors.
     */
    public static boolean isLegalToReceive(int code) {
        return isLegalToSend(code);
    }

    /** Validates a close code and reason before anything is sent. */
    public static void checkClose(int code, String reason) {
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

    /** Validates a handshake request header: an HTTP token name, not reserved, a value without CR/LF/NUL. */
    public static void checkHeader(String name, String value) {
        checkToken(name, "header name");
        String lower = name.toLowerCase(Locale.ROOT);
        if (RESERVED_HEADERS.contains(lower) || lower.startsWith("sec-websocket-")) {
            throw invalid("header name", "'" + name + "' is set by the opening handshake and may not be given");
        }
        if (value == null) {
            throw invalid("header value", "must not be null (header '" + name + "')");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || c > 0xFF) {
                throw invalid("header value", "of '" + name + "' contains a forbidden character (CR, LF, NUL or non-Latin-1) at index " + i);
            }
        }
    }

    /** Validates an HTTP token (RFC 9110 §5.6.2), as header names and subprotocols must be. */
    public static void checkToken(String token, String argument) {
        if (token == null || token.isEmpty()) {
            throw invalid(argument, "must not be null or empty");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            boolean tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                throw invalid(argument, "'" + token.replace("\r", "\\r").replace("\n", "\\n")
                        + "' is not an HTTP token (bad character at index " + i + ")");
            }
        }
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
}
