package io.fluxsocket.interop;

import java.net.URI;

/**
 * A WebSocket server an interop contract runs against, listening on 127.0.0.1: a peer's process
 * ({@link PeerServer}) or one in this JVM ({@link ReactorNettyDeflateServer}).
 */
interface InteropServer extends AutoCloseable {

    /** The {@code ws://} URI of {@code pathAndQuery} on this server, e.g. {@code uri("/echo")}. */
    URI uri(String pathAndQuery);

    /** Stops the server. */
    @Override
    void close();
}
