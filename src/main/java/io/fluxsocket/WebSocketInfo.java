package io.fluxsocket;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The Information of a connection: its addresses, the negotiated subprotocol and the byte counts.
 * Safe to read from any thread; the counts are live.
 */
public interface WebSocketInfo {

    /** The client's address of the TCP connection. */
    InetSocketAddress localAddress();

    /** The server's address of the TCP connection. */
    InetSocketAddress remoteAddress();

    /** The subprotocol the server selected, if it selected one of those offered. */
    Optional<String> subprotocol();

    /** Payload bytes of data frames written to the socket so far (frame headers not counted). */
    long bytesSent();

    /** Payload bytes of data frames received so far (frame headers not counted). */
    long bytesReceived();
}
