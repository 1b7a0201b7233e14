package io.fluxsocket.benchmarks;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.PerMessageDeflate;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketMessage;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * fluxsocket in message mode ({@code connectMessages}), whole receive with the default 1 MiB
 * {@code maxMessageSize}: a download counts the payload of each whole message; an upload is ONE
 * streamed binary message ({@code WebSocketMessage.binary(Flux<ByteBuffer>)}) of all the chunks;
 * small messages are one {@code send} of a {@code Flux<WebSocketMessage>}, each element a whole
 * binary message (the library takes them from the publisher as they are written). The
 * {@link #compressing()} client offers permessage-deflate with its defaults
 * ({@code PerMessageDeflate.defaults()}: level 6, context takeover both ways, messages of 64 B or more).
 */
final class FluxsocketMessagesTransfer implements Transfer {
    private final WebSocketClient client;

    FluxsocketMessagesTransfer(Path trusted) {
        this(trusted, false);
    }

    /** With {@code metrics}, the client reports to Micrometer ({@code fluxsocket-messages-metrics}). */
    FluxsocketMessagesTransfer(Path trusted, boolean metrics) {
        this(trusted, metrics, false);
    }

    /** With {@code keepAlive}, the client has {@link FluxsocketTransfer#KEEP_ALIVE}. */
    FluxsocketMessagesTransfer(Path trusted, boolean metrics, boolean keepAlive) {
        client = FluxsocketTransfer.client(trusted, metrics, keepAlive);
    }

    /** A client that offers permessage-deflate with its defaults (the deflate scenarios; ws:// only). */
    static FluxsocketMessagesTransfer compressing() {
        return new FluxsocketMessagesTransfer(WebSocketClient.builder().perMessageDeflate(PerMessageDeflate.defaults()).build());
    }

    private FluxsocketMessagesTransfer(WebSocketClient client) {
        this.client = client;
    }

    @Override
    public String agreedExtensions(URI uri) {
        MessageWebSocket ws = client.connectMessages(uri).block();
        try {
            return ws.info().extensions().orElse(null);
        } finally {
            ws.close().block();
        }
    }

    @Override
    public long download(URI uri) {
        return downloadAsync(uri).join();
    }

    @Override
    public CompletableFuture<Long> downloadAsync(URI uri) {
        return client.connectMessages(uri)
                .flatMap(ws -> ws.receive().reduce(0L, (count, m) -> count + m.payload().remaining()))
                .toFuture();
    }

    @Override
    public long upload(URI uri, ByteBuffer[] chunks, long bytes) {
        MessageWebSocket ws = client.connectMessages(uri).block();
        long n = bytes / chunks[0].remaining();
        Flux<ByteBuffer> content = Flux.range(0, (int) n).map(i -> chunks[i % chunks.length].duplicate());
        Mono.when(ws.send(Mono.just(WebSocketMessage.binary(content))), ws.receive().then()).block();
        return closeCount(ws);
    }

    @Override
    public long uploadMessages(URI uri, ByteBuffer[] messages, long bytes) {
        MessageWebSocket ws = client.connectMessages(uri).block();
        long n = bytes / messages[0].remaining();
        Flux<WebSocketMessage> all = Flux.range(0, (int) n)
                .map(i -> WebSocketMessage.binary(messages[i % messages.length].duplicate()));
        Mono.when(ws.send(all), ws.receive().then()).block();
        return closeCount(ws);
    }

    private static long closeCount(MessageWebSocket ws) {
        CloseStatus status = ws.closeStatus().block();
        return Transfer.uploadCount(status.code(), status.reason());
    }
}
