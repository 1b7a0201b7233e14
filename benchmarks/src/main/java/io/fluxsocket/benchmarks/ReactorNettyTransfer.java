package io.fluxsocket.benchmarks;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.net.URI;
import java.nio.ByteBuffer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

/**
 * Raw Reactor Netty: {@code HttpClient.websocket()}, {@code receiveFrames()} to read and
 * {@code sendObject} of {@link BinaryWebSocketFrame}s to write (each chunk its own message).
 */
final class ReactorNettyTransfer implements Transfer {
    private final HttpClient http = HttpClient.create();
    private final WebsocketClientSpec spec = WebsocketClientSpec.builder().maxFramePayloadLength(1 << 20).build();

    @Override
    public long download(URI uri) {
        Long count = http.websocket(spec).uri(uri).handle((in, out) -> {
            long[] c = {0};
            return in.receiveFrames().doOnNext(f -> c[0] += f.content().readableBytes())
                    .then(Mono.fromCallable(() -> c[0]));
        }).blockLast();
        return count;
    }

    @Override
    public long upload(URI uri, ByteBuffer[] chunks, long bytes) {
        long n = bytes / chunks[0].remaining();
        WebSocketCloseStatus status = http.websocket(spec).uri(uri).handle((in, out) -> {
            Flux<BinaryWebSocketFrame> frames = Flux.range(0, (int) n)
                    .map(i -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(chunks[i % chunks.length].duplicate())));
            return out.sendObject(frames).then().then(in.receiveCloseStatus());
        }).blockLast();
        return Transfer.uploadCount(status.code(), status.reasonText());
    }
}
