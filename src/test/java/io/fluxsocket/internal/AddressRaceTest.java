package io.fluxsocket.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fluxsocket.HostResolver;
import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.testing.Await;
import io.fluxsocket.testing.CountingEchoServer;
import io.fluxsocket.testing.FullBacklog;
import io.fluxsocket.testing.TcpTable;
import io.fluxsocket.testing.TestPki;
import io.fluxsocket.testing.TestServer;

import io.netty.resolver.NoopAddressResolverGroup;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.tcp.TcpClient;

/**
 * Every address of a host, raced the Happy Eyeballs way (RFC 8305), over real sockets on loopback
 * only: a name the test's resolver maps to several loopback addresses that share one port, each
 * address refusing (nothing listens there), never answering ({@link FullBacklog}: its SYNs are
 * dropped) or serving (an echo server). What an attempt did is read from the servers (connections
 * accepted) and from the kernel's socket table (a socket still waiting for an answer is
 * {@code SYN_SENT}; a closed one is gone).
 */
@Timeout(60)
class AddressRaceTest {

    private static final String HOST = "multi.test";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A resolver that answers {@link #HOST} with {@code addresses}, and records each name it is asked. */
    private static final class Resolver implements HostResolver {
        final List<String> asked = new CopyOnWriteArrayList<>();
        final List<InetAddress> addresses;

        Resolver(String... literals) {
            List<InetAddress> list = new ArrayList<>();
            for (String l : literals) {
                list.add(ip(l));
            }
            this.addresses = List.copyOf(list);
        }

        @Override
        public Mono<List<InetAddress>> resolve(String host) {
            asked.add(host);
            return Mono.just(addresses);
        }
    }

    private static WebSocketClient client(HostResolver resolver, Duration connectTimeout) {
        return WebSocketClient.builder().resolver(resolver).connectTimeout(connectTimeout).build();
    }

    private static URI uri(int port) {
        return URI.create("ws://" + HOST + ":" + port + "/");
    }

    private static boolean hasIpv6Loopback() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(ip("::1"), 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int synSent(InetSocketAddress address) {
        return TcpTable.count(address, TcpTable.State.SYN_SENT);
    }

    private static void awaitClosed(FullBacklog... silent) {
        for (FullBacklog s : silent) {
            Await.until(() -> synSent(s.address()) == 0, Duration.ofSeconds(10), "the attempt to " + s.address() + " is closed");
        }
    }

    /** The echo round trip that proves the connection works. */
    private static void echoes(StreamWebSocket ws) {
        ByteBuffer got = ws.send(Mono.just(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8))))
                .then(ws.receive().next()).block(WAIT);
        assertEquals("hello", StandardCharsets.UTF_8.decode(got).toString());
        ws.close(1000, "").block(WAIT);
    }

    // ---- The order of the attempts (RFC 8305 §4) ----

    @Test
    void theFamiliesAlternateStartingWithTheFamilyOfTheFirstAddress() {
        assertEquals(List.of(sa("127.0.0.1"), sa("::1"), sa("127.0.0.2"), sa("127.0.0.3")),
                AddressRace.order(List.of(ip("127.0.0.1"), ip("127.0.0.2"), ip("127.0.0.3"), ip("::1")), 80));
        assertEquals(List.of(sa("::2"), sa("127.0.0.1"), sa("::3"), sa("127.0.0.2"), sa("::4")),
                AddressRace.order(List.of(ip("::2"), ip("::3"), ip("::4"), ip("127.0.0.1"), ip("127.0.0.2")), 80));
    }

    @Test
    void oneFamilyKeepsItsOrderAndDuplicatesAreTriedOnce() {
        assertEquals(List.of(sa("127.0.0.3"), sa("127.0.0.1"), sa("127.0.0.2")),
                AddressRace.order(List.of(ip("127.0.0.3"), ip("127.0.0.1"), ip("127.0.0.3"), ip("127.0.0.2")), 80));
    }

    private static InetSocketAddress sa(String literal) {
        return new InetSocketAddress(ip(literal), 80);
    }

    // ---- The race ----

    @Test
    void aFirstAddressThatRefusesLosesToTheNextAndInfoReportsTheWinner() {
        try (CountingEchoServer server = new CountingEchoServer("127.0.0.1", 0)) {
            // Nothing listens on 127.0.0.3 at the server's port: refused.
            Resolver resolver = new Resolver("127.0.0.3", "127.0.0.1");
            StreamWebSocket ws = client(resolver, WAIT).connect(uri(server.port())).block(WAIT);
            assertEquals(new InetSocketAddress(ip("127.0.0.1"), server.port()), ws.info().remoteAddress());
            assertEquals(List.of(HOST), resolver.asked);
            assertEquals(1, server.accepted());
            echoes(ws);
        }
    }

    @Test
    void aFirstAddressThatNeverAnswersIsLeftAfterTheDelayAndClosedWhenTheNextWins() throws IOException {
        assumeTrue(TcpTable.available(), "no /proc/net/tcp: not Linux");
        try (CountingEchoServer server = new CountingEchoServer("127.0.0.1", 0);
             FullBacklog silent = new FullBacklog(ip("127.0.0.2"), server.port())) {
            long start = System.nanoTime();
            StreamWebSocket ws = client(new Resolver("127.0.0.2", "127.0.0.1"), WAIT).connect(uri(server.port())).block(WAIT);
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(new InetSocketAddress(ip("127.0.0.1"), server.port()), ws.info().remoteAddress());
            assertEquals(1, server.accepted());
            // A lower bound: the second attempt waited for the first one the Connection Attempt Delay.
            assertTrue(tookMillis >= AddressRace.ATTEMPT_DELAY.toMillis(), tookMillis + " ms");
            awaitClosed(silent);
            echoes(ws);
        }
    }

    /** Twenty refusals in a row: were each followed by the 250 ms delay, the 4 s connect timeout would pass first. */
    @Test
    void afterAFailedAttemptTheNextStartsAtOnce() {
        try (CountingEchoServer server = new CountingEchoServer("127.0.0.1", 0)) {
            List<String> addresses = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                addresses.add("127.0.0." + (10 + i));
            }
            addresses.add("127.0.0.1");
            StreamWebSocket ws = client(new Resolver(addresses.toArray(new String[0])), Duration.ofSeconds(4))
                    .connect(uri(server.port())).block(WAIT);
            assertEquals(new InetSocketAddress(ip("127.0.0.1"), server.port()), ws.info().remoteAddress());
            echoes(ws);
        }
    }

    @Test
    void whenEveryAddressFailsTheErrorNamesTheHostAndEachAddressWithItsReason() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, ip("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        WebSocketException e = assertThrows(WebSocketException.class,
                () -> client(new Resolver("127.0.0.2", "127.0.0.3", "127.0.0.1"), WAIT).connect(uri(port)).block(WAIT));
        assertEquals(WebErrorStatus.CANNOT_CONNECT, e.status(), e.toString());
        assertEquals("could not connect to " + HOST + " at any of its 3 addresses: 127.0.0.2:" + port + " (Connection refused), "
                + "127.0.0.3:" + port + " (Connection refused), 127.0.0.1:" + port + " (Connection refused)", e.getMessage());
        assertTrue(e.getCause() instanceof ConnectException, e.getCause().toString());
        assertEquals(2, Arrays.stream(e.getSuppressed()).filter(ConnectException.class::isInstance).count(),
                "the other attempts' errors are kept");
    }

    @Test
    void ipv6AndIpv4AlternateInTheOrderOfTheAttempts() throws IOException {
        assumeTrue(hasIpv6Loopback(), "this machine has no ::1: the IPv6 cases are skipped");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, ip("::1"))) {
            port = s.getLocalPort();
        }
        // Each refusal starts the next attempt at once: the reasons are listed in the order of the attempts.
        WebSocketException e = assertThrows(WebSocketException.class,
                () -> client(new Resolver("127.0.0.2", "127.0.0.3", "::1"), WAIT).connect(uri(port)).block(WAIT));
        assertEquals("could not connect to " + HOST + " at any of its 3 addresses: 127.0.0.2:" + port + " (Connection refused), "
                + "[::1]:" + port + " (Connection refused), 127.0.0.3:" + port + " (Connection refused)", e.getMessage());
    }

    @Test
    void anIpv6WinnerIsTheRemoteAddressOfInfo() throws IOException {
        assumeTrue(hasIpv6Loopback(), "this machine has no ::1: the IPv6 cases are skipped");
        assumeTrue(TcpTable.available(), "no /proc/net/tcp: not Linux");
        try (CountingEchoServer server = new CountingEchoServer("::1", 0);
             FullBacklog silent = new FullBacklog(ip("127.0.0.2"), server.port())) {
            StreamWebSocket ws = client(new Resolver("127.0.0.2", "::1"), WAIT).connect(uri(server.port())).block(WAIT);
            assertEquals(new InetSocketAddress(ip("::1"), server.port()), ws.info().remoteAddress());
            assertEquals(1, server.accepted());
            awaitClosed(silent);
            echoes(ws);
        }
    }

    @Test
    void anAttemptEndsAfterTheConnectAttemptTimeoutAndTheErrorSaysSo() throws IOException {
        assumeTrue(TcpTable.available(), "no /proc/net/tcp: not Linux");
        try (FullBacklog first = new FullBacklog(ip("127.0.0.2"), 0);
             FullBacklog second = new FullBacklog(ip("127.0.0.3"), first.port())) {
            int port = first.port();
            WebSocketClient client = WebSocketClient.builder().resolver(new Resolver("127.0.0.2", "127.0.0.3"))
                    .connectTimeout(WAIT).connectAttemptTimeout(Duration.ofMillis(300)).build();
            WebSocketException e = assertThrows(WebSocketException.class, () -> client.connect(uri(port)).block(WAIT));
            // Every attempt timed out: their common status.
            assertEquals(WebErrorStatus.TIMEOUT, e.status(), e.toString());
            assertEquals("could not connect to " + HOST + " at any of its 2 addresses: 127.0.0.2:" + port
                    + " (no answer within 300 ms (connectAttemptTimeout)), 127.0.0.3:" + port
                    + " (no answer within 300 ms (connectAttemptTimeout))", e.getMessage());
            awaitClosed(first, second);
        }
    }

    @Test
    void theConnectTimeoutBoundsTheWholeRaceAndClosesEveryAttempt() throws IOException {
        assumeTrue(TcpTable.available(), "no /proc/net/tcp: not Linux");
        try (FullBacklog a = new FullBacklog(ip("127.0.0.2"), 0);
             FullBacklog b = new FullBacklog(ip("127.0.0.3"), a.port());
             FullBacklog c = new FullBacklog(ip("127.0.0.4"), a.port())) {
            WebSocketClient client = client(new Resolver("127.0.0.2", "127.0.0.3", "127.0.0.4"), Duration.ofSeconds(1));
            WebSocketException e = assertThrows(WebSocketException.class, () -> client.connect(uri(a.port())).block(WAIT));
            assertEquals(WebErrorStatus.TIMEOUT, e.status(), e.toString());
            assertEquals("opening handshake with " + uri(a.port()) + " did not finish within 1000 ms (connectTimeout)", e.getMessage());
            awaitClosed(a, b, c);
        }
    }

    @Test
    void cancellingTheConnectMidRaceClosesEveryAttempt() throws IOException {
        assumeTrue(TcpTable.available(), "no /proc/net/tcp: not Linux");
        try (FullBacklog a = new FullBacklog(ip("127.0.0.2"), 0);
             FullBacklog b = new FullBacklog(ip("127.0.0.3"), a.port())) {
            List<Object> signals = new CopyOnWriteArrayList<>();
            Disposable connecting = client(new Resolver("127.0.0.2", "127.0.0.3"), WAIT).connect(uri(a.port()))
                    .subscribe(signals::add, signals::add, () -> signals.add("complete"));
            Await.until(() -> synSent(a.address()) == 1 && synSent(b.address()) == 1, Duration.ofSeconds(10),
                    "both attempts wait for an answer");
            connecting.dispose();
            awaitClosed(a, b);
            assertEquals(List.of(), signals, "a cancelled connect signals nothing");
        }
    }

    /** TLS runs once, on the winner's channel: its session is the one the handshake and info() use. */
    @Test
    void tlsAndTheUpgradeRunOnTheWinner() throws IOException {
        assumeTrue(TcpTable.available(), "no /proc/net/tcp: not Linux");
        try (TestServer server = TestServer.echoingOverTls(TestPki.get().valid(), false);
             FullBacklog silent = new FullBacklog(ip("127.0.0.2"), server.port())) {
            Resolver resolver = new Resolver("127.0.0.2", "127.0.0.1");
            WebSocketClient client = WebSocketClient.builder().resolver(resolver).connectTimeout(WAIT)
                    .trustStore(TestPki.get().trustStore()).build();
            StreamWebSocket ws = client.connect(URI.create("wss://localhost:" + server.port() + "/")).block(WAIT);
            assertEquals(List.of("localhost"), resolver.asked);
            assertEquals(new InetSocketAddress(ip("127.0.0.1"), server.port()), ws.info().remoteAddress());
            assertTrue(ws.info().serverCertificate().isPresent());
            assertTrue(ws.info().tlsProtocol().isPresent());
            awaitClosed(silent);
            echoes(ws);
        }
    }

    /**
     * Reactor Netty keeps a connect's subscriber for as long as the channel lives: the winner's
     * attempt must not keep the race, and with it whoever subscribed to the race, on the heap.
     */
    @Test
    void anOpenConnectionKeepsNoReferenceToTheRaceNorItsSubscriber() throws Exception {
        try (CountingEchoServer server = new CountingEchoServer("127.0.0.1", 0)) {
            TcpClient tcp = TcpClient.newConnection().resolver(NoopAddressResolverGroup.INSTANCE);
            List<InetSocketAddress> addresses = List.of(new InetSocketAddress(ip("127.0.0.3"), server.port()),
                    new InetSocketAddress(ip("127.0.0.1"), server.port()));
            CompletableFuture<Connection> connected = new CompletableFuture<>();
            WeakReference<Object> subscriber = subscribe(AddressRace.connect(tcp, HOST, addresses, "within 1 s"), connected);
            Connection connection = connected.get(20, TimeUnit.SECONDS);
            for (int i = 0; i < 100 && subscriber.get() != null; i++) {
                System.gc();
                Thread.sleep(20);
            }
            assertNull(subscriber.get(), "the race's subscriber is still reachable from the open connection");
            assertTrue(connection.channel().isActive(), "the connection itself stays open");
            connection.dispose();
        }
    }

    /** Subscribes a subscriber that hands the connection on and is referenced weakly only. */
    private static WeakReference<Object> subscribe(Mono<Connection> race, CompletableFuture<Connection> connected) {
        BaseSubscriber<Connection> subscriber = new BaseSubscriber<>() {
            @Override
            protected void hookOnNext(Connection connection) {
                connected.complete(connection);
            }

            @Override
            protected void hookOnError(Throwable error) {
                connected.completeExceptionally(error);
            }
        };
        race.subscribe(subscriber);
        return new WeakReference<>(subscriber);
    }

    /** Many connects at once through a race each: every connection works and none is left behind. */
    @Test
    void concurrentRacesEachGetTheirOwnWinner() throws IOException {
        assumeTrue(TcpTable.available(), "no /proc/net/tcp: not Linux");
        try (CountingEchoServer server = new CountingEchoServer("127.0.0.1", 0);
             FullBacklog silent = new FullBacklog(ip("127.0.0.2"), server.port())) {
            WebSocketClient client = client(new Resolver("127.0.0.2", "127.0.0.5", "127.0.0.1"), WAIT);
            List<StreamWebSocket> sockets = Flux.range(0, 20).flatMap(i -> client.connect(uri(server.port())))
                    .collectList().block(WAIT);
            assertEquals(20, sockets.size());
            assertEquals(20, server.accepted());
            for (StreamWebSocket ws : sockets) {
                assertEquals(new InetSocketAddress(ip("127.0.0.1"), server.port()), ws.info().remoteAddress());
            }
            awaitClosed(silent);
            sockets.forEach(AddressRaceTest::echoes);
        }
    }
}
