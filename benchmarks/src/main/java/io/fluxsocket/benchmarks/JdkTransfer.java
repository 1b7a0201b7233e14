package io.fluxsocket.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's {@code java.net.http.WebSocket}: {@code request(1)} per received piece; the upload is
 * one message of partial {@code sendBinary}s, each waited for (the API allows one outstanding send).
 */
final class JdkTransfer implements Transfer {
    private final HttpClient http = HttpClient.newHttpClient();

    @Override
    public long download(URI uri) throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            /** Bytes received (the listener's calls are serialized). */
            private long count;

            @Override
            public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                count += data.remaining();
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                done.complete(count);
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                done.completeExceptionally(error);
            }
        };
        http.newWebSocketBuilder().buildAsync(uri, listener).join();
        return done.get(5, TimeUnit.MINUTES);
    }

    @Override
    public long upload(URI uri, ByteBuffer[] chunks, long bytes) throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                try {
                    done.complete(Transfer.uploadCount(code, reason));
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                }
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                done.completeExceptionally(error);
            }
        };
        WebSocket ws = http.newWebSocketBuilder().buildAsync(uri, listener).join();
        long n = bytes / chunks[0].remaining();
        for (long i = 0; i < n; i++) {
            ws.sendBinary(chunks[(int) (i % chunks.length)].duplicate(), i == n - 1).join();
        }
        return done.get(5, TimeUnit.MINUTES);
    }
}
