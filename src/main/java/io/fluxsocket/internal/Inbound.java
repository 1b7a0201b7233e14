package io.fluxsocket.internal;

/**
 * What a connection hands received data to: {@link InboundFlow} in stream mode, {@link WholeMessages}
 * or {@link StreamedMessages} in message mode. Each queues data within a byte budget for its
 * subscribers and tells the connection, through {@link #wantsRead()}, whether to read the socket.
 * Called on the connection's event loop only.
 */
interface Inbound {

    /**
     * A piece of a data frame's payload, as {@link FrameDecoder} passes it on. The callee retains
     * or copies what it keeps; the caller releases {@code piece}.
     *
     * @throws ProtocolViolation for data this side cannot accept (a text message in stream mode,
     *     text that is not UTF-8), with the close code to fail the connection with
     */
    void onData(Frame piece);

    /** Whether the socket should be read for this side: someone waits for data, within the budget. */
    boolean wantsRead();

    /**
     * This client sent its Close: reads go ahead of demand within the budget; with no subscriber
     * what arrives is dropped, so that the server's Close can be reached.
     */
    void closing();

    /**
     * A Ping waits for its Pong ({@code true}) or no longer does: while one waits, reads go ahead of
     * demand within the budget, so that the Pong can be read. Event loop.
     */
    void readAhead(boolean on);

    /** No more data: deliver what is queued, then complete ({@code error == null}) or error. */
    void terminate(Throwable error);

    /** Received bytes held for the subscribers (a measure of what this side holds). */
    long queuedBytes();
}
