package io.fluxsocket.benchmarks;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebSocketClient;
import java.net.URI;
import java.nio.ByteBuffer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** fluxsocket in stream mode, default options: one {@code send} streams the whole upload. */
final class FluxsocketTransfer implements Transfer {
    private final WebSocketClient client = WebSocketClient.create();

    @Override
    public long download(URI uri) {
        StreamWebSocket ws = client.connect(uri).block();
        long[] count = {0};
        ws.receive().doOnNext(b -> count[0] += b.remaining()).then().block();
        return count[0];
    }

    @Override
    public long upload(URI uri, ByteBuffer[] chunks, long bytes) {
        StreamWebSocket ws = client.connect(uri).block();
        long n = bytes / chunks[0].remaining();
        Flux<ByteBuffer> data = Flux.range(0, (int) n).map(i -> chunks[i % chunks.length].duplicate());
        Mono.when(ws.send(data), ws.receive().then()).block();
        CloseStatus status = ws.closeStatus().block();
        return Transfer.uploadCount(status.code(), status.reason());
    }
}
