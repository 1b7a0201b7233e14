package io.fluxsocket.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's {@code java.net.http.WebSocket}: {@code request(1)} per received piece; the upload is
 * one message of partial {@code sendBinary}s, each waited for (the API allows one outstanding send);
 * small messages are one {@code sendBinary(…, true)} each, also waited for.
 */
final class JdkTransfer implements Transfer {
    private final HttpClient http;

    /**
     * {@code trusted}: for {@code wss://}, the server certificate's PEM file, trusted through
     * {@code HttpClient.Builder.sslContext}: an {@code SSLContext} whose trust managers come from a
     * {@code TrustManagerFactory} over a key store holding it. The JDK checks host names itself.
     */
    JdkTransfer(Path trusted) throws Exception {
        http = trusted == null ? HttpClient.newHttpClient() : HttpClient.newBuilder()
                .sslContext(TrustedCertificate.sslContext(TrustedCertificate.trustManagerFactory(trusted)))
                .build();
    }

    @Override
    public long download(URI uri) throws Exception {
        return downloadAsync(uri).get(5, TimeUnit.MINUTES);
    }

    @Override
    public CompletableFuture<Long> downloadAsync(URI uri) {
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
        http.newWebSocketBuilder().buildAsync(uri, listener).whenComplete((ws, e) -> {
            if (e != null) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    @Override
    public long upload(URI uri, ByteBuffer[] chunks, long bytes) throws Exception {
        return upload(uri, chunks, bytes, false);
    }

    @Override
    public long uploadMessages(URI uri, ByteBuffer[] messages, long bytes) throws Exception {
        return upload(uri, messages, bytes, true);
    }

    private long upload(URI uri, ByteBuffer[] chunks, long bytes, boolean messages) throws Exception {
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
            ws.sendBinary(chunks[(int) (i % chunks.length)].duplicate(), messages || i == n - 1).join();
        }
        return done.get(5, TimeUnit.MINUTES);
    }

    /** Each round trip is one {@code sendBinary(message, true)}; {@code onBinary} counts the echo. */
    @Override
    public Echo echo(URI uri, ByteBuffer message) {
        Arrivals arrivals = new Arrivals();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                arrivals.add(data.remaining());
                ws.request(1);
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                arrivals.fail(error);
            }
        }).join();
        return new Echo() {
            private long expected;
            /** The previous send: the API allows one outstanding send (done long before its echo). */
            private CompletableFuture<WebSocket> sent = CompletableFuture.completedFuture(ws);

            @Override
            public void roundTrip() throws Exception {
                expected += message.remaining();
                sent.join();
                sent = ws.sendBinary(message.duplicate(), true);
                arrivals.await(expected);
            }

            @Override
            public void close() {
                ws.abort();
            }
        };
    }

    /**
     * {@code onBinary} counts; each message is a {@code sendBinary(message, true)} started when the
     * previous send completed (the API allows one outstanding send); closing is {@code sendClose(1000)}.
     */
    @Override
    public CompletableFuture<EchoLink> openEcho(URI uri, EchoLink.Listener listener) {
        return http.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                listener.received(data.remaining());
                ws.request(1);
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                listener.failed(error);
            }
        }).thenApply(ws -> new EchoLink() {
            /** The last send; each next one waits for it (sends come from one thread at a time). */
            private CompletableFuture<WebSocket> sent = CompletableFuture.completedFuture(ws);

            @Override
            public void send(ByteBuffer message) {
                sent = sent.thenCompose(w -> w.sendBinary(message, true));
                sent.whenComplete((w, e) -> {
                    if (e != null) {
                        listener.failed(e);
                    }
                });
            }

            @Override
            public CompletableFuture<?> close() {
                return ws.sendClose(WebSocket.NORMAL_CLOSURE, "");
            }
        });
    }

    @Override
    public AutoCloseable openIdle(URI uri) {
        WebSocket ws = http.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() { }).join();
        return ws::abort;
    }

    /** {@code request(1)} after each piece the application took, none while it is paused. */
    @Override
    public SlowReader slowRead(URI uri) {
        WebSocket[] socket = new WebSocket[1];
        Pacer pacer = new Pacer(() -> socket[0].request(1));
        socket[0] = http.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
            @Override
            public void onOpen(WebSocket ws) {
                // No request(1) until the application allows some bytes.
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                if (pacer.took(data.remaining())) {
                    ws.request(1);
                }
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                pacer.fail(error);
            }
        }).join();
        return new SlowReader() {
            @Override
            public void consume(long bytes) throws Exception {
                pacer.allow(bytes);
            }

            @Override
            public void close() {
                socket[0].abort();
            }
        };
    }
}
