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

    /**
     * Whether the socket should be read for this side: what it holds is under the budget, whatever
     * the subscribers ask for; or what arrives is dropped anyway.
     */
    boolean wantsRead();

    /**
     * This client sent its Close: with no subscriber, what arrives beyond the budget is dropped, so
     * that the server's Close can be reached.
     */
    void closing();

    /** No more data: deliver what is queued, then complete ({@code error == null}) or error. */
    void terminate(Throwable error);

    /** Received bytes held for the subscribers (a measure of what this side holds). */
    long queuedBytes();
}
