package io.fluxsocket.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketInfo;
import io.fluxsocket.WebSocketProxy;
import io.fluxsocket.testing.Await;
import io.fluxsocket.testing.ProxyServer;
import io.fluxsocket.testing.TestPki;
import io.fluxsocket.testing.TestServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * What the client must do through a real proxy: one subclass per proxy program, each run against
 * two processes of it shared by the class's tests, an open one and one that requires the credential
 * {@link #USER}/{@link #PASSWORD}, in front of in-process origins ({@link TestServer}).
 *
 * <p>That a connection went through the proxy, or around it, is read from
 * {@code info().remoteAddress()}: the proxy's port when it went through it, the origin's when not.
 * The 64 MiB transfer is tagged {@code volume} (ADVANCED leak detection, as the other bulk tests).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
abstract class ProxyInteropContract {

    static final String USER = "alice";
    static final String PASSWORD = "s3cret-pw";
    static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final long SIXTY_FOUR_MIB = 64L * 1024 * 1024;
    private static final int CHUNK = 64 * 1024;
    private static final Duration VOLUME_TIMEOUT = Duration.ofSeconds(120);
    private static final TestPki PKI = TestPki.get();

    /** The open proxy and the one that requires the credential; started by the first test. */
    ProxyServer open;
    ProxyServer guarded;
    /** The plain echo origin on 127.0.0.1. */
    TestServer origin;

    @TempDir
    static Path config;

    /** The proxy program this class runs. */
    abstract ProxyServer.Kind kind();

    @BeforeEach
    void startProxies() {
        if (open == null) {
            open = ProxyServer.start(kind(), null, null, config);
            guarded = ProxyServer.start(kind(), USER, PASSWORD, config);
            origin = TestServer.echoing();
        }
    }

    @AfterAll
    void stopProxies() {
        for (AutoCloseable c : new AutoCloseable[] {open, guarded, origin}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    static WebSocketClient through(WebSocketProxy proxy) {
        return WebSocketClient.builder().connectTimeout(TIMEOUT).proxy(proxy).build();
    }

    /** Connects, echoes a short message, closes; returns the connection's information. */
    static WebSocketInfo echo(WebSocketClient client, URI uri) {
        StreamWebSocket ws = client.connect(uri).block(TIMEOUT);
        try {
            byte[] payload = "through the proxy".getBytes(StandardCharsets.UTF_8);
            ByteBuffer back = ws.send(Mono.just(ByteBuffer.wrap(payload))).thenMany(ws.receive()).next().block(TIMEOUT);
            assertEquals(ByteBuffer.wrap(payload), back, "the echo");
            return ws.info();
        } finally {
            ws.close().block(TIMEOUT);
        }
    }

    static WebSocketException connectError(WebSocketClient client, URI uri) {
        return assertThrows(WebSocketException.class, () -> client.connect(uri).block(TIMEOUT));
    }

    static int remotePort(WebSocketInfo info) {
        return info.remoteAddress().getPort();
    }

    /** How the errors name a proxy of this class on 127.0.0.1. */
    String named(ProxyServer proxy) {
        return "the " + (kind() == ProxyServer.Kind.TINYPROXY ? "HTTP" : "SOCKS5") + " proxy 127.0.0.1:" + proxy.port();
    }

    /** 64 MiB out as one message in 64 KiB buffers and echoed back, SHA-256 checked, through the guarded proxy. */
    @Test
    @Tag("volume")
    void echoesSixtyFourMebibytesThroughTheProxy() {
        WebSocketClient client = through(guarded.proxy().credential(USER, PASSWORD));
        long start = System.nanoTime();
        StreamWebSocket ws = client.connect(origin.uri()).block(TIMEOUT);
        assertEquals(guarded.port(), remotePort(ws.info()), "connected to the proxy");
        Sha256 sent = new Sha256();
        Sha256 received = new Sha256();
        // How many bytes have come back, for a window on what is sent.
        Sinks.Many<Long> echoed = Sinks.many().replay().latest();
        echoed.tryEmitNext(0L);
        Mono<Void> receiving = ws.receive()
                .doOnNext(b -> {
                    received.update(b);
                    echoed.tryEmitNext(received.bytes());
                })
                .takeUntil(b -> received.bytes() >= SIXTY_FOUR_MIB)
                .then();
        long window = echoWindow();
        Flux<ByteBuffer> data = Sha256.randomBytes(11, SIXTY_FOUR_MIB, CHUNK, sent);
        if (window != Long.MAX_VALUE) {
            // Buffer i goes once all but the window of what came before it came back.
            data = data.index().concatMap(b -> echoed.asFlux()
                    .filter(n -> n >= (b.getT1() + 1) * CHUNK - window).next().thenReturn(b.getT2()), 1);
        }
        Mono<Void> sending = ws.send(data);

        Mono.when(receiving, sending).block(VOLUME_TIMEOUT);
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertEquals(SIXTY_FOUR_MIB, sent.bytes(), "bytes sent");
        assertEquals(SIXTY_FOUR_MIB, received.bytes(), "bytes echoed");
        assertEquals(sent.hex(), received.hex(), "SHA-256 of the echo");
        ws.close(CloseStatus.NORMAL_CLOSURE, "").block(TIMEOUT);
        assertEquals(CloseStatus.NORMAL_CLOSURE, ws.closeStatus().block(TIMEOUT).code());
        System.out.println("64 MiB echoed through " + kind() + " (with its credential" + (window == Long.MAX_VALUE ? ""
                : ", at most " + window / 1024 + " KiB outstanding") + ") in " + millis + " ms, connect included");
    }

    @Test
    void aConnectionGoesThroughTheProxy() {
        WebSocketInfo info = echo(through(open.proxy()), origin.uri());
        assertEquals(open.port(), remotePort(info), "the client's peer is the proxy");
    }

    /**
     * {@code wss://} through the proxy, which is named by a host name ({@code localhost}) while the
     * origin is named by its address, to a certificate that names only the address: the name is
     * checked against the origin, and TLS runs with the origin through the tunnel.
     */
    @Test
    void wssThroughTheProxyIsTlsWithTheOriginCheckedAgainstTheOriginsName() {
        try (TestServer tls = TestServer.echoingOverTls(PKI.loopbackAddressOnly(), false)) {
            WebSocketClient client = WebSocketClient.builder().connectTimeout(TIMEOUT).trustStore(PKI.trustStore())
                    .proxy(kind().proxy("localhost", open.port())).build();
            WebSocketInfo info = echo(client, tls.uri("wss", "127.0.0.1"));
            assertEquals(PKI.loopbackAddressOnly().certificate(), info.serverCertificate().orElseThrow());
            assertEquals(open.port(), remotePort(info), "the client's peer is the proxy");
        }
    }

    @Test
    void aCertificateThatDoesNotNameTheOriginFailsThoughTheProxyIsFine() {
        try (TestServer tls = TestServer.echoingOverTls(PKI.wrongHost(), false)) {
            WebSocketClient client = WebSocketClient.builder().connectTimeout(TIMEOUT).trustStore(PKI.trustStore())
                    .proxy(open.proxy()).build();
            WebSocketException e = connectError(client, tls.uri("wss", "127.0.0.1"));
            assertEquals(WebErrorStatus.CERTIFICATE_COMMON_NAME_IS_INCORRECT, e.status(), e.toString());
        }
    }

    @Test
    void aCredentialOpensTheGuardedProxy() {
        WebSocketInfo info = echo(through(guarded.proxy().credential(USER, PASSWORD)), origin.uri());
        assertEquals(guarded.port(), remotePort(info));
    }

    @Test
    void aMissingCredentialIsProxyAuthenticationRequiredNamingTheProxy() {
        WebSocketException e = connectError(through(guarded.proxy()), origin.uri());
        assertEquals(WebErrorStatus.PROXY_AUTHENTICATION_REQUIRED, e.status(), e.toString());
        assertTrue(e.getMessage().contains(named(guarded)), e.getMessage());
    }

    @Test
    void aWrongCredentialIsProxyAuthenticationRequiredNamingTheUser() {
        WebSocketException e = connectError(through(guarded.proxy().credential(USER, "wrong")), origin.uri());
        assertEquals(WebErrorStatus.PROXY_AUTHENTICATION_REQUIRED, e.status(), e.toString());
        assertTrue(e.getMessage().contains(named(guarded)), e.getMessage());
        assertTrue(e.getMessage().contains("refused the credential of user '" + USER + "'"), e.getMessage());
        assertTrue(!e.getMessage().contains("wrong"), "the password is not shown: " + e.getMessage());
    }

    @Test
    void anUnreachableProxyIsCannotConnectNamingTheProxy() {
        int closed = ProxyServer.freePort();
        WebSocketException e = connectError(through(kind().proxy("127.0.0.1", closed)), origin.uri());
        assertEquals(WebErrorStatus.CANNOT_CONNECT, e.status(), e.toString());
        assertTrue(e.getMessage().startsWith("could not connect to the " + (kind() == ProxyServer.Kind.TINYPROXY
                ? "HTTP" : "SOCKS5") + " proxy 127.0.0.1:" + closed + " (for " + origin.uri() + ")"), e.getMessage());
    }

    /** The guarded proxy would refuse a client without its credential: the bypassed host is reached all the same, directly. */
    @Test
    void aBypassedHostIsReachedDirectly() {
        WebSocketInfo info = echo(through(guarded.proxy().nonProxyHosts("localhost|127.0.0.*")), origin.uri());
        assertEquals(origin.port(), remotePort(info), "the client's peer is the origin");
        WebSocketException e = connectError(through(guarded.proxy().nonProxyHosts("localhost")), origin.uri());
        assertEquals(WebErrorStatus.PROXY_AUTHENTICATION_REQUIRED, e.status(), "a host not bypassed goes through the proxy");
    }

    /** The proxy cannot reach the origin (nothing listens on its port): it refuses the tunnel, and says so. */
    @Test
    void aTunnelTheProxyCannotOpenFailsNamingTheProxy() {
        URI nowhere = URI.create("ws://127.0.0.1:" + ProxyServer.freePort() + "/");
        WebSocketException e = connectError(through(open.proxy()), nowhere);
        assertEquals(refusedTunnelStatus(), e.status(), e.toString());
        assertTrue(e.getMessage().startsWith(named(open)), e.getMessage());
        assertTrue(e.getMessage().contains("127.0.0.1:" + nowhere.getPort()), e.getMessage());
    }

    /**
     * A selector of the application's is asked for each connection (with the URI as {@code http}),
     * and told of a proxy that could not be reached.
     */
    @Test
    void aProxySelectorChoosesTheProxyOfEachConnection() {
        int closed = ProxyServer.freePort();
        List<URI> asked = new CopyOnWriteArrayList<>();
        List<SocketAddress> failed = new CopyOnWriteArrayList<>();
        Proxy.Type type = kind() == ProxyServer.Kind.TINYPROXY ? Proxy.Type.HTTP : Proxy.Type.SOCKS;
        ProxySelector selector = new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                asked.add(uri);
                return switch (uri.getPath()) {
                    case "/proxied" -> List.of(new Proxy(type, InetSocketAddress.createUnresolved("localhost", open.port())));
                    case "/dead" -> List.of(new Proxy(type, new InetSocketAddress("127.0.0.1", closed)));
                    default -> List.of(Proxy.NO_PROXY);
                };
            }

            @Override
            public void connectFailed(URI uri, SocketAddress address, IOException failure) {
                failed.add(address);
            }
        };
        WebSocketClient client = WebSocketClient.builder().connectTimeout(TIMEOUT).proxySelector(selector).build();
        URI base = origin.uri();

        assertEquals(open.port(), remotePort(echo(client, base.resolve("/proxied"))));
        assertEquals(origin.port(), remotePort(echo(client, base.resolve("/direct"))));
        WebSocketException e = connectError(client, base.resolve("/dead"));
        assertEquals(WebErrorStatus.CANNOT_CONNECT, e.status(), e.toString());

        assertEquals(List.of("http://127.0.0.1:" + origin.port() + "/proxied", "http://127.0.0.1:" + origin.port()
                + "/direct", "http://127.0.0.1:" + origin.port() + "/dead"), asked.stream().map(URI::toString).toList());
        Await.until(() -> !failed.isEmpty(), TIMEOUT, "connectFailed was called");
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", closed)), failed);
    }

    /**
     * How many bytes the 64 MiB echo may have sent and not had back; {@code Long.MAX_VALUE} for no
     * limit: sending and receiving at full speed both ways at once.
     */
    long echoWindow() {
        return Long.MAX_VALUE;
    }

    /** The status of a tunnel to a port where nothing listens, as this proxy answers it. */
    abstract WebErrorStatus refusedTunnelStatus();
}
