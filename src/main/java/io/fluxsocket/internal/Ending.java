package io.fluxsocket.internal;

import io.fluxsocket.CloseStatus;
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
}
