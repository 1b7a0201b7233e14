package io.fluxsocket.tck;

import io.fluxsocket.testing.TestServer;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import java.net.URI;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * The in-process WebSocket server of the TCK verifications: one {@link TestServer} on loopback,
 * shared by the verifications of a test class, that does for each connection what the
 * {@value #SCRIPT} header of its opening handshake says (see the factory methods).
 *
 * <p>An element is an 8-byte payload, the element's index as a big-endian {@code long}: a frame
 * that small arrives in one socket read, so that it is one piece of {@code receive()} (stream
 * mode), one message (message mode), or one piece of a streamed message's {@code content()}.
 * Frames are generated lazily as the server's channel is writable, so a publisher of a huge
 * number of elements costs only what the client actually reads.
 */
final class TckServer {

    /** The request header that carries the script for the connection. */
    static final String SCRIPT = "X-Tck-Script";

    private static TestServer server;

    private TckServer() {
    }

    /** The shared server's URI; starts it on first use. */
    static synchronized URI uri() {
        if (server == null) {
            server = new TestServer(TckServer::serve);
        }
        return server.uri();
    }

    /** Stops the shared server, if it runs: after each verification class. */
    static synchronized void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** {@code n} binary messages of one small frame each, then a Close (1000). */
    static String messages(long n) {
        return "messages " + n;
    }

    /**
     * One binary message of {@code n} small frames (a first frame, then continuations, FIN on the
     * last), then a Close (1000); for {@code n == 0} a message of one empty frame.
     */
    static String fragments(long n) {
        return "fragments " + n;
    }

    /**
     * A protocol violation: a binary frame with RSV1 set (no extension was negotiated), then
     * nothing; the client fails the connection with 1002 as soon as it reads the frame.
     */
    static String violation() {
        return "violation";
    }

    /**
     * A streamed message that is cut short by a protocol violation: a first binary frame with an
     * empty payload (FIN clear), then a continuation frame with RSV1 set.
     */
    static String violationInMessage() {
        return "violation-in-message";
    }

    /** Reads and drops whatever the client sends; answers its Close. */
    static String sink() {
        return "sink";
    }

    private static Publisher<Void> serve(WebsocketInbound in, WebsocketOutbound out) {
        String script = in.headers().get(SCRIPT, "");
        String[] words = script.split(" ");
        switch (words[0]) {
            case "messages": {
                long n = Long.parseLong(words[1]);
                return out.sendObject(elements(n).map(i -> new BinaryWebSocketFrame(Unpooled.copyLong(i)))).then();
            }
            case "fragments": {
                long n = Long.parseLong(words[1]);
                if (n == 0) {
                    return out.sendObject(new BinaryWebSocketFrame(true, 0, Unpooled.EMPTY_BUFFER)).then();
                }
                return out.sendObject(elements(n).map(i -> fragment(i, n))).then();
            }
            case "violation":
                return out.sendObject(new BinaryWebSocketFrame(true, 4, Unpooled.copyLong(0)))
                        .then(Mono.never());
            case "violation-in-message":
                return out.sendObject(Flux.just(
                                new BinaryWebSocketFrame(false, 0, Unpooled.EMPTY_BUFFER),
                                new ContinuationWebSocketFrame(true, 4, Unpooled.copyLong(0))))
                        .then(Mono.never());
            case "sink":
                return in.receive().then();
            default:
                return Mono.error(new IllegalArgumentException("no TCK script in the request: '" + script + "'"));
        }
    }

    /** The indexes 0 to {@code n - 1}, generated one at a time as they are requested. */
    private static Flux<Long> elements(long n) {
        return Flux.generate(() -> 0L, (i, sink) -> {
            if (i < n) {
                sink.next(i);
            } else {
                sink.complete();
            }
            return i + 1;
        });
    }

    private static WebSocketFrame fragment(long i, long n) {
        boolean fin = i == n - 1;
        return i == 0
                ? new BinaryWebSocketFrame(fin, 0, Unpooled.copyLong(i))
                : new ContinuationWebSocketFrame(fin, 0, Unpooled.copyLong(i));
    }
}
