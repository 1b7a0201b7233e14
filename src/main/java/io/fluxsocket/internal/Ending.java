package io.fluxsocket.internal;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketError;
import io.fluxsocket.WebSocketException;

/**
 * How a connection ended, decided once by the first event that ends it: the server's Close, or a
 * failure (a protocol violation, a lost transport, a timeout), or TCP closing without either.
 *
 * @param status   what {@code closeStatus()} emits: the code, the reason, and who chose them
 * @param error    what the data flows end with: null after a closing handshake, else the failure
 * @param answered the server's Close answered this client's: the client started the closing handshake
 */
record Ending(CloseStatus status, WebSocketException error, boolean answered) {

    /** The server's Close frame arrived and started the closing handshake. */
    static Ending closedBy(CloseStatus serverClose) {
        return new Ending(serverClose, null, false);
    }

    /** The server's Close frame answered the one this client sent first. */
    static Ending answered(CloseStatus serverClose) {
        return new Ending(serverClose, null, true);
    }

    /** This client failed the connection with a close code of its own (sent if it still could be). */
    static Ending failed(int code, String reason, WebSocketException error) {
        return new Ending(new CloseStatus(code, reason, false), error, false);
    }

    /** The connection ended without a close code (1006): lost, reset, timed out. */
    static Ending abnormal(WebSocketException error) {
        return new Ending(new CloseStatus(CloseStatus.ABNORMAL_CLOSURE, "", false), error, false);
    }

    /** A failure that sends Close {@code code}: the error says the code and the reason. */
    static Ending failure(int code, String reason, WebErrorStatus status, Throwable cause) {
        return failed(code, reason, new WebSocketException(status,
                "connection failed with close code " + code + ": " + reason, cause, code));
    }

    /** The error of a transport that broke: its own status, or {@code CONNECTION_RESET}. */
    static WebSocketException lost(Throwable cause) {
        WebErrorStatus s = WebSocketError.status(cause);
        return new WebSocketException(s == WebErrorStatus.UNKNOWN || s == WebErrorStatus.CLOSED
                ? WebErrorStatus.CONNECTION_RESET : s, "the connection was lost: " + cause.getMessage(), cause);
    }
}
