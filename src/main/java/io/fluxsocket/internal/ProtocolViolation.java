package io.fluxsocket.internal;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketException;

/**
 * The server broke RFC 6455, or sent what this side does not accept: thrown by
 * {@link FrameDecoder} and the inbound sides, with the close code to fail the connection with.
 * The connection turns it into a Close frame of that code and a {@link WebSocketException} for
 * the application; its message is the reason the Close carries.
 */
final class ProtocolViolation extends WebSocketException {

    private static final long serialVersionUID = 1L;

    ProtocolViolation(int closeCode, String reason) {
        super(statusOf(closeCode), reason, null, closeCode);
    }

    /** 1002: a frame the protocol forbids. */
    static ProtocolViolation protocolError(String reason) {
        return new ProtocolViolation(CloseStatus.PROTOCOL_ERROR, reason);
    }

    private static WebErrorStatus statusOf(int closeCode) {
        switch (closeCode) {
            case CloseStatus.UNSUPPORTED_DATA:
                return WebErrorStatus.UNSUPPORTED_DATA;
            case CloseStatus.INVALID_PAYLOAD:
                return WebErrorStatus.INVALID_PAYLOAD;
            case CloseStatus.MESSAGE_TOO_BIG:
                return WebErrorStatus.MESSAGE_TOO_BIG;
            default:
                return WebErrorStatus.PROTOCOL_ERROR;
        }
    }
}
