package io.fluxsocket.soak;

import io.fluxsocket.testing.TestServer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * The soak's server: an in-process Reactor Netty echo server ({@link TestServer#echo}: every frame
 * back as it came) on one loopback port that it keeps across restarts, which can drop a random open
 * connection (a FIN or an RST, no Close frame) and be stopped and bound again on the same port.
 */
final class SoakServer implements AutoCloseable {
    private final int port;
    /** The bound server; replaced by {@link #restart} (one caller thread at a time). */
    private volatile DisposableServer server;
    /** The open connections, added by the server's event loop, removed when they close. */
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    /** Connections dropped and restarts so far. */
    final AtomicLong drops = new AtomicLong();
    final AtomicLong restarts = new AtomicLong();

    SoakServer() {
        server = bind(0);
        port = server.port();
    }

    private DisposableServer bind(int port) {
        return HttpServer.create().host("127.0.0.1").port(port)
                .doOnConnection(c -> {
                    Channel ch = c.channel();
                    channels.add(ch);
                    ch.closeFuture().addListener(f -> channels.remove(ch));
                })
                .handle((request, response) -> response.sendWebsocket(TestServer::echo,
                        WebsocketServerSpec.builder().maxFramePayloadLength(1 << 24).build()))
                .bindNow();
    }

    URI uri() {
        return URI.create("ws://127.0.0.1:" + port + "/soak");
    }

    int openConnections() {
        return channels.size();
    }

    /** Closes one open connection chosen at random, abruptly: half the time with an RST (linger 0). */
    void dropRandom() {
        List<Channel> open = new ArrayList<>(channels);
        if (open.isEmpty()) {
            return;
        }
        Channel ch = open.get(ThreadLocalRandom.current().nextInt(open.size()));
        // On the channel's event loop: there the socket cannot close between the check and the
        // option (set from this thread, a connection closing meanwhile threw ClosedChannelException
        // and ended the chaos thread 7 minutes into a 30-minute run).
        ch.eventLoop().execute(() -> {
            if (ch.isOpen() && ThreadLocalRandom.current().nextBoolean()) {
                ch.config().setOption(ChannelOption.SO_LINGER, 0);
            }
            ch.close();
        });
        drops.incrementAndGet();
    }

    /** Stops listening, cuts every open connection, then listens again on the same port. */
    void restart() throws InterruptedException {
        // Stop accepting, cut the connections, then wait for the server to be gone: disposeNow waits for
        // open connections, and threw after 10 s (ending the soak's chaos thread) when they were cut after it.
        server.dispose();
        for (Channel ch : new ArrayList<>(channels)) {
            ch.close();
        }
        server.disposeNow(Duration.ofSeconds(10));
        restarts.incrementAndGet();
        for (int attempt = 0; ; attempt++) {
            try {
                server = bind(port);
                return;
            } catch (RuntimeException e) {
                if (attempt == 50) {
                    throw e;
                }
                Thread.sleep(100); // The port is still held; try again shortly.
            }
        }
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(10));
        for (Channel ch : new ArrayList<>(channels)) {
            ch.close().awaitUninterruptibly(5_000);
        }
    }
}
