package io.fluxsocket.internal;

import io.fluxsocket.WebSocketException;

/** What the outbound side asks of the connection's owner. Called on the event loop. */
interface OutboundOwner {

    /** The message being written cannot be finished (its content failed, or its send was cancelled): fail with 1011. */
    void messageAborted(String reason, Throwable cause);

    /** No write progress for the send timeout: fail, and close TCP at once. */
    void sendTimedOut(WebSocketException timeout);

    /** A write failed, the transport is broken: fail; returns the error the connection ended with. */
    WebSocketException writeFailed(Throwable cause);

    /**
     * The Close frame {@link Outbound#close} queued was handed to the channel (if that write failed
     * at once, {@link #writeFailed} was told first).
     */
    void closeSent();
}
