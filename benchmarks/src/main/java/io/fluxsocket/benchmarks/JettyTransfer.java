package io.fluxsocket.benchmarks;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * Jetty 12's websocket client: an auto-demanding {@link Session.Listener} reading partial binary
 * messages (no aggregation); uploads are 64 KiB messages sent with {@code sendBinary}, at most 16
 * (1 MiB) in flight.
 */
public final class JettyTransfer implements Transfer {
    private static final int IN_FLIGHT = 16;
    private final WebSocketClient client = new WebSocketClient();

    JettyTransfer() {
        client.setMaxBinaryMessageSize(1 << 20);
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public long download(URI uri) throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        client.connect(new DownloadListener(done), uri).get(1, TimeUnit.MINUTES);
        return done.get(5, TimeUnit.MINUTES);
    }

    @Override
    public long upload(URI uri, ByteBuffer[] chunks, long bytes) throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        Session session = client.connect(new UploadListener(done), uri).get(1, TimeUnit.MINUTES);
        Semaphore window = new Semaphore(IN_FLIGHT);
        Callback release = Callback.from(window::release, e -> {
            window.release();
            done.completeExceptionally(e);
        });
        long n = bytes / chunks[0].remaining();
        for (long i = 0; i < n && !done.isDone(); i++) {
            window.acquire();
            session.sendBinary(chunks[(int) (i % chunks.length)].duplicate(), release);
        }
        return done.get(5, TimeUnit.MINUTES);
    }

    @Override
    public void close() throws Exception {
        client.stop();
    }

    /** Counts partial binary messages; Jetty reflects on it, so it is public. */
    public static final class DownloadListener implements Session.Listener.AutoDemanding {
        private final CompletableFuture<Long> done;
        /** Bytes received (Jetty serializes the listener's calls). */
        private long count;

        DownloadListener(CompletableFuture<Long> done) {
            this.done = done;
        }

        @Override
        public void onWebSocketPartialBinary(ByteBuffer payload, boolean last, Callback callback) {
            count += payload.remaining();
            callback.succeed();
        }

        @Override
        public void onWebSocketClose(int code, String reason) {
            done.complete(count);
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            done.completeExceptionally(cause);
        }
    }

    /** Completes with the count in the server's Close reason. */
    public static final class UploadListener implements Session.Listener.AutoDemanding {
        private final CompletableFuture<Long> done;

        UploadListener(CompletableFuture<Long> done) {
            this.done = done;
        }

        @Override
        public void onWebSocketClose(int code, String reason) {
            try {
                done.complete(Transfer.uploadCount(code, reason));
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            done.completeExceptionally(cause);
        }
    }
}
