package io.fluxsocket.benchmarks;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * Jetty 12's websocket client: an auto-demanding {@link Session.Listener} reading partial binary
 * messages (no aggregation); uploads are 64 KiB messages sent with {@code sendBinary}, at most 16
 * (1 MiB) in flight. With {@code compress}, every connection offers Jetty's {@code permessage-deflate}
 * extension ({@code ClientUpgradeRequest.addExtensions("permessage-deflate")}).
 */
public final class JettyTransfer implements Transfer {
    private static final int IN_FLIGHT = 16;
    private final WebSocketClient client;
    /** Whether each connection offers permessage-deflate. */
    private final boolean compress;

    /**
     * {@code trusted}: for {@code wss://}, the server certificate's PEM file, trusted through the
     * {@code HttpClient}'s {@code SslContextFactory.Client} with a trust store holding it (whose
     * endpoint identification, {@code HTTPS}, checks host names by default).
     */
    JettyTransfer(Path trusted) throws Exception {
        this(trusted, false);
    }

    JettyTransfer(Path trusted, boolean compress) throws Exception {
        this.compress = compress;
        if (trusted == null) {
            client = new WebSocketClient();
        } else {
            SslContextFactory.Client ssl = new SslContextFactory.Client();
            ssl.setTrustStore(TrustedCertificate.keyStore(trusted));
            HttpClient http = new HttpClient();
            http.setSslContextFactory(ssl);
            client = new WebSocketClient(http); // manages (starts and stops) the HttpClient
        }
        client.setMaxBinaryMessageSize(1 << 20);
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Connects, with {@code compress} through an upgrade request that offers permessage-deflate. */
    private CompletableFuture<Session> connect(Object listener, URI uri) throws java.io.IOException {
        if (!compress) {
            return client.connect(listener, uri);
        }
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.addExtensions("permessage-deflate");
        return client.connect(listener, uri, request);
    }

    /** {@code session.getUpgradeResponse()}: the server's handshake answer. */
    @Override
    public String agreedExtensions(URI uri) throws Exception {
        Session session = connect(new IdleListener(), uri).get(1, TimeUnit.MINUTES);
        try {
            return session.getUpgradeResponse().getHeader("Sec-WebSocket-Extensions");
        } finally {
            session.close();
        }
    }

    @Override
    public long download(URI uri) throws Exception {
        return downloadAsync(uri).get(5, TimeUnit.MINUTES);
    }

    @Override
    public CompletableFuture<Long> downloadAsync(URI uri) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        try {
            connect(new DownloadListener(done), uri).whenComplete((s, e) -> {
                if (e != null) {
                    done.completeExceptionally(e);
                }
            });
        } catch (Exception e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    /** Each round trip is one {@code sendBinary}; an auto-demanding listener counts the echo. */
    @Override
    public Echo echo(URI uri, ByteBuffer message) throws Exception {
        Arrivals arrivals = new Arrivals();
        Session session = connect(new EchoListener(arrivals), uri).get(1, TimeUnit.MINUTES);
        Callback failed = Callback.from(() -> { }, arrivals::fail);
        return new Echo() {
            private long expected;

            @Override
            public void roundTrip() throws Exception {
                expected += message.remaining();
                session.sendBinary(message.duplicate(), failed);
                arrivals.await(expected);
            }

            @Override
            public void close() {
                session.disconnect();
            }
        };
    }

    /** An auto-demanding listener counts; each message is a {@code sendBinary}; closing is {@code close(1000)}. */
    @Override
    public CompletableFuture<EchoLink> openEcho(URI uri, EchoLink.Listener listener) {
        try {
            return connect(new LinkListener(listener), uri).thenApply(session -> new EchoLink() {
                private final Callback failed = Callback.from(() -> { }, listener::failed);

                @Override
                public void send(ByteBuffer message) {
                    session.sendBinary(message, failed);
                }

                @Override
                public CompletableFuture<?> close() {
                    CompletableFuture<Void> closed = new CompletableFuture<>();
                    session.close(1000, null, Callback.from(() -> closed.complete(null), closed::completeExceptionally));
                    return closed;
                }
            });
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public AutoCloseable openIdle(URI uri) throws Exception {
        Session session = connect(new IdleListener(), uri).get(1, TimeUnit.MINUTES);
        return session::disconnect;
    }

    @Override
    public SlowReader slowRead(URI uri) throws Exception {
        PacedListener listener = new PacedListener();
        Session session = connect(listener, uri).get(1, TimeUnit.MINUTES);
        return new SlowReader() {
            @Override
            public void consume(long bytes) throws Exception {
                listener.pacer.allow(bytes);
            }

            @Override
            public void close() {
                session.disconnect();
            }
        };
    }

    @Override
    public long upload(URI uri, ByteBuffer[] chunks, long bytes) throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        Session session = connect(new UploadListener(done), uri).get(1, TimeUnit.MINUTES);
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

    /** Counts echoed bytes. */
    public static final class EchoListener implements Session.Listener.AutoDemanding {
        private final Arrivals arrivals;

        EchoListener(Arrivals arrivals) {
            this.arrivals = arrivals;
        }

        @Override
        public void onWebSocketPartialBinary(ByteBuffer payload, boolean last, Callback callback) {
            arrivals.add(payload.remaining());
            callback.succeed();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            arrivals.fail(cause);
        }
    }

    /** Tells an {@link EchoLink.Listener} what arrives. */
    public static final class LinkListener implements Session.Listener.AutoDemanding {
        private final EchoLink.Listener listener;

        LinkListener(EchoLink.Listener listener) {
            this.listener = listener;
        }

        @Override
        public void onWebSocketPartialBinary(ByteBuffer payload, boolean last, Callback callback) {
            listener.received(payload.remaining());
            callback.succeed();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            listener.failed(cause);
        }
    }

    /** Does nothing: an idle connection. */
    public static final class IdleListener implements Session.Listener.AutoDemanding {
    }

    /**
     * Explicit demand (not auto-demanding): {@code session.demand()} after each piece the
     * application took, none while it is paused.
     */
    public static final class PacedListener implements Session.Listener {
        private volatile Session session;
        final Pacer pacer = new Pacer(() -> session.demand());

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
        }

        @Override
        public void onWebSocketPartialBinary(ByteBuffer payload, boolean last, Callback callback) {
            int n = payload.remaining();
            callback.succeed();
            if (pacer.took(n)) {
                session.demand();
            }
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            pacer.fail(cause);
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
