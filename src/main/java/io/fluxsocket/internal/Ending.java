package io.fluxsocket.internal;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.WebSocketException;

/**
 * How a connection ended, decided once by the first event that ends it: the server's Close, or a
 * failure (a protocol violation, a lost transport, a timeout), or TCP closing without either.
 *
 * @param status what {@code closeStatus()} emits: the code, the reason, and who chose them
 * @param error  what the data flows end with: null after a closing handshake, else the failure
 */
record Ending(CloseStatus status, WebSocketException error) {

    /** The server's Close frame arrived: a closing handshake, whoever started it. */
    static Ending closedBy(CloseStatus serverClose) {
        return new Ending(serverClose, null);
    }

    /** This client failed the connection with a close code of its own (sent if it still could be). */
    static Ending failed(int code, String reason, WebSocketException error) {
        return new Ending(new CloseStatus(code, reason, false), error);
    }

    /** The connection ended without a close code (1006): lost, reset, timed out. */
    static Ending abnormal(WebSocketException error) {
        return new Ending(new CloseStatus(CloseStatus.ABNORMAL_CLOSURE, "", false), error);
    }
}
