package io.fluxsocket.testing;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * An in-process Reactor Netty echo WebSocket server ({@link TestServer#echo}) on a loopback address
 * and port of the test's choosing, so that several addresses can serve one port, that counts the TCP
 * connections it accepted.
 */
public final class CountingEchoServer implements AutoCloseable {

    private final DisposableServer server;
    private final AtomicInteger accepted = new AtomicInteger();

    /** Listens on {@code host} (an IP literal) at {@code port} (0 for any). */
    public CountingEchoServer(String host, int port) {
        this.server = HttpServer.create().host(host).port(port)
                .doOnConnection(connection -> accepted.incrementAndGet())
                .handle((request, response) -> response.sendWebsocket(TestServer::echo))
                .bindNow();
    }

    public int port() {
        return server.port();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.address();
    }

    /** The TCP connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
