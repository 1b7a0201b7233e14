package io.fluxsocket.interop;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * A Reactor Netty WebSocket server in this JVM with permessage-deflate on
 * ({@code WebsocketServerSpec.compress(true)}: Netty's compression handler, which accepts an offer's
 * {@code client_no_context_takeover} but declines an offer with {@code server_no_context_takeover},
 * and compresses every frame it sends), serving the routes of the peer programs'
 * {@code deflate-server.js} and {@code deflate_server.py} for {@link DeflateInteropContract}:
 *
 * <ul>
 *   <li>{@code /echo}: every frame back as it came (so a fragmented message comes back in the
 *       client's frames), compressed;</li>
 *   <li>{@code /fragments?n=N&type=T&sizes=S1,S2,…&ping=P}: N messages of frames of S1, S2, …
 *       bytes ({@link JsonLines#fragment}), with P {@code 1} a Ping between each two frames of a
 *       message, then (once every Ping was answered) Close 1000 with the hex SHA-256 of it all
 *       (Netty cannot compress an empty frame that is not a message's last: no size but the last
 *       may be 0);</li>
 *   <li>{@code /download?bytes=N}: N bytes of {@link JsonLines#lines} in 64 KiB binary messages,
 *       then Close 1000 with their hex SHA-256;</li>
 *   <li>{@code /upload?bytes=N}: reads messages until a message ends with N bytes come in all,
 *       then Close 1000 with {@code <messages> <hex SHA-256>}.</li>
 * </ul>
 */
final class ReactorNettyDeflateServer implements InteropServer {

    private static final int CHUNK = 64 * 1024;
    private static final byte[] PING = "between fragments".getBytes(StandardCharsets.US_ASCII);

    private final DisposableServer server;

    ReactorNettyDeflateServer() {
        WebsocketServerSpec spec = WebsocketServerSpec.builder().maxFramePayloadLength(1 << 24).compress(true).build();
        server = HttpServer.create().host("127.0.0.1").port(0)
                .handle((request, response) -> {
                    QueryStringDecoder target = new QueryStringDecoder(request.uri());
                    return response.sendWebsocket((in, out) -> route(target, in, out), spec);
                })
                .bindNow();
    }

    @Override
    public URI uri(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + server.port() + pathAndQuery);
    }

    @Override
    public void close() {
        server.disposeNow();
    }

    private static Publisher<Void> route(QueryStringDecoder target, WebsocketInbound in, WebsocketOutbound out) {
        Map<String, List<String>> query = target.parameters();
        switch (target.path()) {
            case "/echo":
                return out.sendObject(in.receiveFrames().map(WebSocketFrame::retain));
            case "/fragments":
                return fragments(in, out, Integer.parseInt(parameter(query, "n", "1")), parameter(query, "type", "binary").equals("text"),
                        Arrays.stream(parameter(query, "sizes", "0").split(",")).mapToInt(Integer::parseInt).toArray(),
                        parameter(query, "ping", "0").equals("1"));
            case "/download":
                return download(out, Long.parseLong(parameter(query, "bytes", "0")));
            case "/upload":
                return upload(in, out, Long.parseLong(parameter(query, "bytes", "0")));
            default:
                return out.sendClose(4404, "no route " + target.path());
        }
    }

    private static String parameter(Map<String, List<String>> query, String name, String otherwise) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? otherwise : values.get(0);
    }

    /**
     * The frames, then the Close; with Pings, the Close waits for every Pong: Reactor Netty closes
     * TCP right after its Close frame, and a Pong that arrives after that makes the kernel reset the
     * connection (the client then fails with CONNECTION_RESET instead of seeing the Close).
     */
    private static Mono<Void> fragments(WebsocketInbound in, WebsocketOutbound out, int n, boolean text, int[] sizes,
            boolean ping) {
        Sha256 hash = new Sha256();
        Flux<WebSocketFrame> frames = Flux.range(0, n).concatMap(i -> Flux.range(0, sizes.length).concatMap(j -> {
            byte[] payload = JsonLines.fragment(i, j, sizes[j]);
            hash.update(ByteBuffer.wrap(payload));
            boolean fin = j == sizes.length - 1;
            WebSocketFrame frame;
            if (j > 0) {
                frame = new ContinuationWebSocketFrame(fin, 0, Unpooled.wrappedBuffer(payload));
            } else if (text) {
                frame = new TextWebSocketFrame(fin, 0, Unpooled.wrappedBuffer(payload));
            } else {
                frame = new BinaryWebSocketFrame(fin, 0, Unpooled.wrappedBuffer(payload));
            }
            return ping && !fin ? Flux.just(frame, new PingWebSocketFrame(Unpooled.copiedBuffer(PING))) : Flux.just(frame);
        }));
        long pings = ping ? (long) n * (sizes.length - 1) : 0;
        AtomicLong pongs = new AtomicLong();
        Sinks.Empty<Void> answered = Sinks.empty();
        if (pings == 0) {
            answered.tryEmitEmpty();
        }
        // Read to the client's Close (not cancelled: Reactor Netty would close without a code).
        Mono<Void> reading = in.receiveFrames().doOnNext(frame -> {
            if (frame instanceof PongWebSocketFrame && pongs.incrementAndGet() == pings) {
                answered.tryEmitEmpty();
            }
        }).then();
        Mono<Void> writing = out.sendObject(frames).then().then(answered.asMono())
                .then(Mono.defer(() -> out.sendClose(1000, hash.hex())));
        return Mono.when(reading, writing);
    }

    private static Mono<Void> download(WebsocketOutbound out, long total) {
        Sha256 hash = new Sha256();
        Flux<WebSocketFrame> frames = JsonLines.stream(total, CHUNK, hash)
                .map(buffer -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(buffer)));
        return out.sendObject(frames).then().then(Mono.defer(() -> out.sendClose(1000, hash.hex())));
    }

    private static Mono<Void> upload(WebsocketInbound in, WebsocketOutbound out, long total) {
        Sha256 hash = new Sha256();
        AtomicLong messages = new AtomicLong();
        // Not cancelled once the bytes came (Reactor Netty would close without a code): the Close
        // goes out from within, and the inbound ends with the client's answer.
        return in.receiveFrames()
                .filter(frame -> frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame
                        || frame instanceof ContinuationWebSocketFrame)
                .concatMap(frame -> {
                    if (hash.bytes() >= total && messages.get() > 0) {
                        // After the Close: nothing more is expected.
                        return Mono.<Void>empty();
                    }
                    hash.update(frame.content().nioBuffer());
                    if (!frame.isFinalFragment()) {
                        return Mono.<Void>empty();
                    }
                    messages.incrementAndGet();
                    return hash.bytes() >= total ? out.sendClose(1000, messages.get() + " " + hash.hex()) : Mono.<Void>empty();
                })
                .then();
    }
}
