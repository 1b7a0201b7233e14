package io.fluxsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fluxsocket.testing.TestPki;
import io.fluxsocket.testing.TestServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Connecting through proxies that misbehave, played by plain sockets (the real proxies are in
 * {@code interop}): the connect timeout covers a tunnel that never opens, and a proxy that hangs up
 * is named. Each failure names the proxy and leaves no connection open.
 */
@Timeout(60)
class ProxyConnectTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static WebSocketProxy proxy(WebSocketProxy.Type type, int port) {
        return type == WebSocketProxy.Type.HTTP ? WebSocketProxy.http("127.0.0.1", port) : WebSocketProxy.socks5("127.0.0.1", port);
    }

    private static String named(WebSocketProxy.Type type, int port) {
        return "the " + (type == WebSocketProxy.Type.HTTP ? "HTTP" : "SOCKS5") + " proxy 127.0.0.1:" + port;
    }

    private static ServerSocket listening() {
        try {
            return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A proxy that accepts the TCP connection (the kernel does, with nobody calling accept) and never answers. */
    @ParameterizedTest
    @EnumSource(WebSocketProxy.Type.class)
    void theConnectTimeoutCoversATunnelThatNeverOpens(WebSocketProxy.Type type) throws IOException {
        try (ServerSocket silent = listening(); TestServer origin = TestServer.echoing()) {
            WebSocketClient client = WebSocketClient.builder().connectTimeout(Duration.ofMillis(500))
                    .proxy(proxy(type, silent.getLocalPort())).build();
            WebSocketException e = assertThrows(WebSocketException.class, () -> client.connect(origin.uri()).block(WAIT));
            assertEquals(WebErrorStatus.TIMEOUT, e.status(), e.toString());
            assertEquals(named(type, silent.getLocalPort()) + " did not open a tunnel to 127.0.0.1:" + origin.port()
                    + " within 500 ms (connectTimeout)", e.getMessage());
        }
    }

    /** The same for {@code wss://}: the TLS handshake waits behind the tunnel, and the timeout names the proxy. */
    @ParameterizedTest
    @EnumSource(WebSocketProxy.Type.class)
    void theConnectTimeoutCoversATunnelThatNeverOpensForWss(WebSocketProxy.Type type) throws IOException {
        try (ServerSocket silent = listening();
             TestServer origin = TestServer.echoingOverTls(TestPki.get().valid(), false)) {
            WebSocketClient client = WebSocketClient.builder().connectTimeout(Duration.ofMillis(500))
                    .trustStore(TestPki.get().trustStore()).proxy(proxy(type, silent.getLocalPort())).build();
            URI uri = origin.uri("wss", "localhost");
            WebSocketException e = assertThrows(WebSocketException.class, () -> client.connect(uri).block(WAIT));
            assertEquals(WebErrorStatus.TIMEOUT, e.status(), e.toString());
            assertEquals(named(type, silent.getLocalPort()) + " did not open a tunnel to localhost:" + origin.port()
                    + " within 500 ms (connectTimeout)", e.getMessage());
        }
    }

    /** A proxy that accepts and closes at once, before answering. */
    @ParameterizedTest
    @EnumSource(WebSocketProxy.Type.class)
    void aProxyThatHangsUpIsConnectionAbortedNamingIt(WebSocketProxy.Type type) throws Exception {
        try (ServerSocket closing = listening(); TestServer origin = TestServer.echoing()) {
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread acceptor = new Thread(() -> {
                try (Socket s = closing.accept()) {
                    s.getInputStream().read();
                } catch (IOException e) {
                    failed.set(e);
                }
            });
            acceptor.start();
            WebSocketClient client = WebSocketClient.builder().connectTimeout(WAIT)
                    .proxy(proxy(type, closing.getLocalPort())).build();
            WebSocketException e = assertThrows(WebSocketException.class, () -> client.connect(origin.uri()).block(WAIT));
            assertEquals(WebErrorStatus.CONNECTION_ABORTED, e.status(), e.toString());
            assertEquals(named(type, closing.getLocalPort()) + " closed the connection before it opened a tunnel to"
                    + " 127.0.0.1:" + origin.port(), e.getMessage());
            acceptor.join(WAIT.toMillis());
            assertEquals(null, failed.get());
        }
    }

    /** An HTTP proxy that refuses the tunnel: its status is the failure's, with the proxy named. */
    @Test
    void anHttpProxysRefusalIsItsStatus() throws Exception {
        try (ServerSocket refusing = listening(); TestServer origin = TestServer.echoing()) {
            AtomicReference<String> request = new AtomicReference<>();
            Thread proxy = new Thread(() -> {
                try (Socket s = refusing.accept()) {
                    StringBuilder head = new StringBuilder();
                    while (!head.toString().endsWith("\r\n\r\n")) {
                        head.append((char) s.getInputStream().read());
                    }
                    request.set(head.toString());
                    s.getOutputStream().write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    s.getInputStream().read();
                } catch (IOException e) {
                    request.set(e.toString());
                }
            });
            proxy.start();
            WebSocketClient client = WebSocketClient.builder().connectTimeout(WAIT)
                    .proxy(WebSocketProxy.http("127.0.0.1", refusing.getLocalPort())).build();
            WebSocketException e = assertThrows(WebSocketException.class, () -> client.connect(origin.uri()).block(WAIT));
            assertEquals(WebErrorStatus.FORBIDDEN, e.status(), e.toString());
            assertEquals(named(WebSocketProxy.Type.HTTP, refusing.getLocalPort()) + " refused the tunnel to 127.0.0.1:"
                    + origin.port() + ": 403 Forbidden", e.getMessage());
            proxy.join(WAIT.toMillis());
            assertEquals("CONNECT 127.0.0.1:" + origin.port() + " HTTP/1.1\r\nhost: 127.0.0.1:" + origin.port()
                    + "\r\n\r\n", request.get(), "no credential, no other header");
        }
    }
}
