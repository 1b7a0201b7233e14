package io.fluxsocket.benchmarks;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

/**
 * OkHttp 4.12: {@code onMessage(ByteString)} per message (no inbound backpressure in its API);
 * uploads are 64 KiB messages, held under 4 MiB of {@code queueSize()} because OkHttp closes the
 * connection (1001) when its 16 MiB outgoing queue would overflow.
 */
final class OkHttpTransfer implements Transfer {
    private static final long QUEUE_LIMIT = 4 << 20;
    private final OkHttpClient http = new OkHttpClient.Builder().build();

    @Override
    public long download(URI uri) throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        http.newWebSocket(new Request.Builder().url(uri.toString()).build(), new WebSocketListener() {
            /** Bytes received (OkHttp's reader thread). */
            private long count;

            @Override
            public void onMessage(WebSocket ws, ByteString bytes) {
                count += bytes.size();
            }

            @Override
            public void onClosing(WebSocket ws, int code, String reason) {
                done.complete(count);
                ws.close(1000, null);
            }

            @Override
            public void onFailure(WebSocket ws, Throwable t, Response response) {
                done.completeExceptionally(t);
            }
        });
        return done.get(5, TimeUnit.MINUTES);
    }

    @Override
    public long upload(URI uri, ByteBuffer[] chunks, long bytes) throws Exception {
        ByteString[] data = new ByteString[chunks.length];
        for (int i = 0; i < chunks.length; i++) {
            data[i] = ByteString.of(chunks[i].duplicate());
        }
        CompletableFuture<Long> done = new CompletableFuture<>();
        WebSocket ws = http.newWebSocket(new Request.Builder().url(uri.toString()).build(), new WebSocketListener() {
            @Override
            public void onClosing(WebSocket ws, int code, String reason) {
                try {
                    done.complete(Transfer.uploadCount(code, reason));
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                }
                ws.close(1000, null);
            }

            @Override
            public void onFailure(WebSocket ws, Throwable t, Response response) {
                done.completeExceptionally(t);
            }
        });
        long n = bytes / chunks[0].remaining();
        for (long i = 0; i < n; i++) {
            while (ws.queueSize() > QUEUE_LIMIT && !done.isDone()) {
                LockSupport.parkNanos(50_000);
            }
            if (!ws.send(data[(int) (i % data.length)])) {
                break; // Closed or failed: done says why.
            }
        }
        return done.get(5, TimeUnit.MINUTES);
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
