package io.fluxsocket.fault;

import io.fluxsocket.testing.TestServer;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * An in-process WebSocket server (a {@link TestServer}) that keeps no data: it records how many
 * payload bytes of data frames it received on its connection and the SHA-256 of them, as they
 * arrive, so that a test can tell which prefix of what the client sent reached it. It answers the
 * client's Close (Reactor Netty does) and Pings.
 */
final class SinkServer implements AutoCloseable {

    private final TestServer server;
    /** Guards the digest and the count: the server's event loop writes, the test reads. */
    private final Object lock = new Object();
    private final MessageDigest digest = sha256();
    private long bytes;

    /** What the server received, at one moment. */
    record Received(long bytes, String sha256) {
    }

    SinkServer() {
        this.server = new TestServer((in, out) -> in.receiveFrames()
                .doOnNext(frame -> {
                    if (frame instanceof BinaryWebSocketFrame || frame instanceof TextWebSocketFrame
                            || frame instanceof ContinuationWebSocketFrame) {
                        record(frame.content());
                    }
                })
                .then());
    }

    int port() {
        return server.port();
    }

    private void record(ByteBuf content) {
        synchronized (lock) {
            bytes += content.readableBytes();
            digest.update(content.nioBuffer());
        }
    }

    /** The bytes received so far and the SHA-256 of them. */
    Received received() {
        synchronized (lock) {
            try {
                MessageDigest copy = (MessageDigest) digest.clone();
                return new Received(bytes, HexFormat.of().formatHex(copy.digest()));
            } catch (CloneNotSupportedException e) {
                throw new AssertionError("the JDK's SHA-256 can be cloned", e);
            }
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
