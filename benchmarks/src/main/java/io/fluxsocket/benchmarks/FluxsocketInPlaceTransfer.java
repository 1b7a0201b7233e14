package io.fluxsocket.benchmarks;

import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebSocketClient;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * fluxsocket in stream mode reading in place: {@code receive(reader)} counts each piece's
 * {@code remaining()} through a read-only view of the library's buffer, with no copy, which is
 * what Reactor Netty's {@code receiveFrames()} client does with its frames. Download only: the
 * outbound side is {@code fluxsocket}'s.
 */
final class FluxsocketInPlaceTransfer implements Transfer {
    private final WebSocketClient client;

    FluxsocketInPlaceTransfer(Path trusted) {
        this(trusted, false);
    }

    /** With {@code keepAlive}, the client has {@link FluxsocketTransfer#KEEP_ALIVE}. */
    FluxsocketInPlaceTransfer(Path trusted, boolean keepAlive) {
        client = FluxsocketTransfer.client(trusted, false, keepAlive);
    }

    @Override
    public long download(URI uri) {
        StreamWebSocket ws = client.connect(uri).block();
        return ws.receive(ByteBuffer::remaining).reduce(0L, Long::sum).block();
    }

    @Override
    public long upload(URI uri, ByteBuffer[] chunks, long bytes) {
        throw new UnsupportedOperationException("reading in place is a download option");
    }

    @Override
    public CompletableFuture<Long> downloadAsync(URI uri) {
        return client.connect(uri)
                .flatMap(ws -> ws.receive(ByteBuffer::remaining).reduce(0L, Long::sum))
                .toFuture();
    }
}
