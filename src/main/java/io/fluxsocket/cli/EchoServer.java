package io.fluxsocket.cli;

import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import java.net.URI;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * An embedded WebSocket echo server on loopback (Reactor Netty): every frame a client sends comes
 * back as it was, with backpressure (the server reads no faster than it can write back).
 */
public final class EchoServer implements AutoCloseable {

    private final DisposableServer server;

    private EchoServer(DisposableServer server) {
        this.server = server;
    }

    /** Starts an echo server on 127.0.0.1 and an ephemeral port. */
    public static EchoServer start() {
        DisposableServer server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .handle((request, response) -> response.sendWebsocket(
                        (in, out) -> out.sendObject(in.receiveFrames().map(WebSocketFrame::retain)),
                        WebsocketServerSpec.builder().maxFramePayloadLength(1 << 24).build()))
                .bindNow();
        return new EchoServer(server);
    }

    /** The URI clients connect to. */
    public URI uri() {
        return URI.create("ws://127.0.0.1:" + server.port() + "/echo");
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
