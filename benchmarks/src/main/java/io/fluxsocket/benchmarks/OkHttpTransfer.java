package io.fluxsocket.benchmarks;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.TrustManagerFactory;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

/**
 * OkHttp 4.12: {@code onMessage(ByteString)} per message (no inbound backpressure in its API);
 * uploads are 64 KiB messages, held under 4 MiB of {@code queueSize()} because OkHttp closes the
 * connection (1001) when its 16 MiB outgoing queue would overflow. Each open WebSocket keeps one
 * dispatcher call (and its thread) for its whole life, so the dispatcher's limits (64 calls, 5 per
 * host by default) are raised for the concurrency and idle scenarios. OkHttp always offers
 * permessage-deflate ({@code Sec-WebSocket-Extensions: permessage-deflate}) and uses it when the
 * server agrees, compressing messages of at least 1,024 bytes ({@code minWebSocketMessageToCompress},
 * default); the other routes of {@link BenchServer} never agree.
 */
final class OkHttpTransfer implements Transfer {
    private static final long QUEUE_LIMIT = 4 << 20;
    private final OkHttpClient http;

    /**
     * {@code trusted}: for {@code wss://}, the server certificate's PEM file, trusted through
     * {@code sslSocketFactory(factory, trustManager)} of an {@code SSLContext} over a key store
     * holding it; OkHttp's own host name verifier stays.
     */
    OkHttpTransfer(Path trusted) throws Exception {
        OkHttpClient.Builder builder = new OkHttpClient.Builder().dispatcher(dispatcher());
        if (trusted != null) {
            TrustManagerFactory trust = TrustedCertificate.trustManagerFactory(trusted);
            builder.sslSocketFactory(TrustedCertificate.sslContext(trust).getSocketFactory(),
                    TrustedCertificate.trustManager(trust));
        }
        http = builder.build();
    }

    private static Dispatcher dispatcher() {
        Dispatcher d = new Dispatcher();
        d.setMaxRequests(100_000);
        d.setMaxRequestsPerHost(100_000);
        return d;
    }

    /** {@code onOpen}'s {@code Response}: the server's handshake answer. */
    @Override
    public String agreedExtensions(URI uri) throws Exception {
        CompletableFuture<String> agreed = new CompletableFuture<>();
        http.newWebSocket(new Request.Builder().url(uri.toString()).build(), new WebSocketListener() {
            @Override
            public void onOpen(WebSocket ws, Response response) {
                agreed.complete(response.header("Sec-WebSocket-Extensions"));
                ws.close(1000, null);
            }

            @Override
            public void onFailure(WebSocket ws, Throwable t, Response response) {
                agreed.completeExceptionally(t);
            }
        });
        return agreed.get(1, TimeUnit.MINUTES);
    }

    @Override
    public long download(URI uri) throws Exception {
        return downloadAsync(uri).get(5, TimeUnit.MINUTES);
    }

    @Override
    public CompletableFuture<Long> downloadAsync(URI uri) {
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
        return done;
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

    /** Each round trip is one {@code send(ByteString)} (made once); {@code onMessage} counts the echo. */
    @Override
    public Echo echo(URI uri, ByteBuffer message) throws Exception {
        Arrivals arrivals = new Arrivals();
        CompletableFuture<Void> open = new CompletableFuture<>();
        ByteString data = ByteString.of(message.duplicate());
        WebSocket ws = http.newWebSocket(new Request.Builder().url(uri.toString()).build(), new WebSocketListener() {
            @Override
            public void onOpen(WebSocket ws, Response response) {
                open.complete(null);
            }

            @Override
            public void onMessage(WebSocket ws, ByteString bytes) {
                arrivals.add(bytes.size());
            }

            @Override
            public void onFailure(WebSocket ws, Throwable t, Response response) {
                open.completeExceptionally(t);
                arrivals.fail(t);
            }
        });
        open.get(1, TimeUnit.MINUTES);
        return new Echo() {
            private long expected;

            @Override
            public void roundTrip() throws Exception {
                expected += data.size();
                if (!ws.send(data)) {
                    throw new IllegalStateException("OkHttp refused the send: closed");
                }
                arrivals.await(expected);
            }

            @Override
            public void close() {
                ws.cancel();
            }
        };
    }

    /** {@code onMessage} counts; each message is a {@code send(ByteString)}; closing is {@code close(1000)}. */
    @Override
    public CompletableFuture<EchoLink> openEcho(URI uri, EchoLink.Listener listener) {
        CompletableFuture<EchoLink> open = new CompletableFuture<>();
        http.newWebSocket(new Request.Builder().url(uri.toString()).build(), new WebSocketListener() {
            @Override
            public void onOpen(WebSocket ws, Response response) {
                open.complete(new EchoLink() {
                    @Override
                    public void send(ByteBuffer message) {
                        if (!ws.send(ByteString.of(message))) {
                            listener.failed(new IllegalStateException("OkHttp refused the send: closed"));
                        }
                    }

                    @Override
                    public CompletableFuture<?> close() {
                        ws.close(1000, null);
                        return CompletableFuture.completedFuture(null);
                    }
                });
            }

            @Override
            public void onMessage(WebSocket ws, ByteString bytes) {
                listener.received(bytes.size());
            }

            @Override
            public void onFailure(WebSocket ws, Throwable t, Response response) {
                if (!open.completeExceptionally(t)) {
                    listener.failed(t);
                }
            }
        });
        return open;
    }

    @Override
    public AutoCloseable openIdle(URI uri) throws Exception {
        CompletableFuture<Void> open = new CompletableFuture<>();
        WebSocket ws = http.newWebSocket(new Request.Builder().url(uri.toString()).build(), new WebSocketListener() {
            @Override
            public void onOpen(WebSocket ws, Response response) {
                open.complete(null);
            }

            @Override
            public void onFailure(WebSocket ws, Throwable t, Response response) {
                open.completeExceptionally(t);
            }
        });
        open.get(1, TimeUnit.MINUTES);
        return ws::cancel;
    }

    /**
     * OkHttp pushes every message and has no way to stop asking: the only way to pause is to block
     * in {@code onMessage} (which stops its reader thread), done here while the application pauses.
     */
    @Override
    public SlowReader slowRead(URI uri) {
        Pacer pacer = new Pacer(() -> { });
        WebSocket ws = http.newWebSocket(new Request.Builder().url(uri.toString()).build(), new WebSocketListener() {
            @Override
            public void onMessage(WebSocket ws, ByteString bytes) {
                try {
                    pacer.awaitAllowance();
                    pacer.took(bytes.size());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onFailure(WebSocket ws, Throwable t, Response response) {
                pacer.fail(t);
            }
        });
        return new SlowReader() {
            @Override
            public void consume(long bytes) throws Exception {
                pacer.allow(bytes);
            }

            @Override
            public void close() {
                pacer.fail(new java.util.concurrent.CancellationException("closed")); // unblocks onMessage
                ws.cancel();
            }
        };
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
