package io.fluxsocket.internal;

/**
 * Where a {@link WebSocketConnection} is in its life; the diagram is on that class. Every move
 * goes through {@link WebSocketConnection}'s one transition method, which throws on a move that
 * {@link #canMoveTo} refuses.
 */
enum ConnectionState {
    /** Data flows both ways. */
    OPEN,
    /** close() was called: its Close waits behind the messages queued before it. */
    CLOSE_QUEUED,
    /** This client's Close was written; the server's is awaited (reads go on). */
    CLOSE_SENT,
    /** The server's Close arrived and was answered (or answered ours): TCP is closing. */
    CLOSE_RECEIVED,
    /** This client failed the connection (its Close sent if it could be): TCP is closing. */
    FAILED,
    /** TCP is closed. */
    CLOSED;

    boolean canMoveTo(ConnectionState next) {
        switch (this) {
            case OPEN:
                return next != OPEN && next != CLOSE_SENT;
            case CLOSE_QUEUED:
                return next.ordinal() > ordinal();
            case CLOSE_SENT:
                return next == CLOSE_RECEIVED || next == FAILED || next == CLOSED;
            case CLOSE_RECEIVED:
            case FAILED:
                return next == CLOSED;
            default:
                return false;
        }
    }

    /** Data frames may still be sent. */
    boolean sending() {
        return this == OPEN || this == CLOSE_QUEUED;
    }
}
