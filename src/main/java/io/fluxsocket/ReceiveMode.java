package io.fluxsocket;

/**
 * How a {@link MessageWebSocket} hands over the messages it receives (the Windows Runtime's
 * {@code MessageWebSocketReceiveMode}).
 */
public enum ReceiveMode {

    /**
     * Each message is emitted once it arrived whole, its payload in memory: the default. A message
     * longer than {@code maxMessageSize} fails the connection with close code 1009 and
     * {@link WebErrorStatus#MESSAGE_TOO_BIG}, as soon as a frame header announces it, without its
     * excess being read into memory.
     */
    WHOLE,

    /**
     * Each message is emitted at its first frame, with {@link WebSocketMessage#content()}
     * streaming its bytes as they arrive: messages of any size, in bounded memory. No size limit
     * applies.
     */
    STREAMED
}
