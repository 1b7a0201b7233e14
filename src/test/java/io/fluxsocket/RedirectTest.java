package io.fluxsocket;

import io.fluxsocket.testing.RawServer;
import io.fluxsocket.testing.TestPki;
import io.fluxsocket.testing.TestServer;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.server.HttpServer;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redirects of the opening handshake ({@link WebSocketClient.Builder#maxRedirects}): off by default,
 * followed up to the limit to another local server or the same one, each on a new connection (TLS
 * per hop), never from {@code wss} to {@code ws}, and a credential kept to its origin.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RedirectTest {

    private static WebSocketClient.Builder builder() {
        return WebSocketClient.builder().connectTimeout(Duration.ofSeconds(5)).closeTimeout(Duration.ofSeconds(1));
    }

    private static String redirect(int status, String location) {
        return "HTTP/1.1 " + status + " Moved\r\nLocation: " + location + "\r\nContent-Length: 0\r\n\r\n";
    }

    private static WebSocketException failure(CompletableFuture<?> connecting) {
        CompletionException e = assertThrows(CompletionException.class,
                () -> connecting.orTimeout(10, TimeUnit.SECONDS).join());
        return assertInstanceOf(WebSocketException.class, e.getCause());
    }

    @Test
    void redirectsAreNotFollowedByDefault() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = builder().build().connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.respondRaw(redirect(302, "ws://127.0.0.1:1/elsewhere"));

            WebSocketException e = failure(connecting);
            assertEquals(WebErrorStatus.FOUND, e.status());
            assertEquals("ws://127.0.0.1:1/elsewhere", e.handshakeResponse().orElseThrow().firstValue("Location").orElseThrow());
        }
    }

    @Test
    void aRedirectToAnotherServerIsFollowedOnANewConnection() {
        try (RawServer first = RawServer.start(); RawServer second = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = builder().maxRedirects(1).build()
                    .connect(first.uri("/old")).toFuture();
            first.acceptHandshake();
            first.respondRaw(redirect(302, "ws://127.0.0.1:" + second.port() + "/new?x=1"));

            RawServer.Request request = second.acceptHandshake();
            assertEquals("/new?x=1", request.target());
            assertEquals("127.0.0.1:" + second.port(), request.header("Host"));
            second.respond101();
            StreamWebSocket ws = connecting.orTimeout(5, TimeUnit.SECONDS).join();
            assertEquals(second.uri("/new?x=1"), ws.info().uri());
        }
    }

    @Test
    void eachRedirectStatusAndHttpLocationsAreFollowedAndRelativeOnesResolved() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = builder().maxRedirects(4).build()
                    .connect(server.uri("/a/b")).toFuture();
            server.acceptHandshake();
            server.respondRaw(redirect(301, "c?d=1"));
            assertEquals("/a/c?d=1", server.acceptNext().readRequest().target());
            server.respondRaw(redirect(307, "/e"));
            assertEquals("/e", server.acceptNext().readRequest().target());
            server.respondRaw(redirect(308, "http://127.0.0.1:" + server.port() + "/f"));
            assertEquals("/f", server.acceptNext().readRequest().target());
            server.respondRaw(redirect(302, "//127.0.0.1:" + server.port() + "/g"));
            assertEquals("/g", server.acceptNext().readRequest().target());
            server.respond101();
            assertEquals(server.uri("/g"), connecting.orTimeout(5, TimeUnit.SECONDS).join().info().uri());
        }
    }

    @Test
    void aLoopIsStoppedByTheLimitWithTheLastRedirect() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = builder().maxRedirects(2).build()
                    .connect(server.uri("/loop")).toFuture();
            server.acceptHandshake();
            server.respondRaw(redirect(302, "/loop?1"));
            server.acceptNext().readRequest();
            server.respondRaw(redirect(302, "/loop?2"));
            server.acceptNext().readRequest();
            server.respondRaw(redirect(307, "/loop?3"));

            WebSocketException e = failure(connecting);
            assertEquals(WebErrorStatus.TEMPORARY_REDIRECT, e.status());
            assertEquals("/loop?3", e.handshakeResponse().orElseThrow().firstValue("Location").orElseThrow());
            assertTrue(e.getMessage().endsWith("; 2 redirects were followed already (maxRedirects 2)"), e.getMessage());
        }
    }

    @Test
    void aLocationThatIsNotAWebSocketOrHttpUriFailsWithTheRedirect() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = builder().maxRedirects(1).build().connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.respondRaw(redirect(302, "ftp://127.0.0.1/x"));

            WebSocketException e = failure(connecting);
            assertEquals(WebErrorStatus.FOUND, e.status());
            assertTrue(e.getMessage().contains("is not a ws, wss, http or https URI"), e.getMessage());
        }
    }

    @Test
    void aRedirectFromWssToWsIsRefused() {
        try (RawServer target = RawServer.start()) {
            DisposableServer secure = redirectingOverTls("ws://127.0.0.1:" + target.port() + "/");
            try {
                WebSocketClient client = builder().maxRedirects(3).trustStore(TestPki.get().trustStore()).build();
                WebSocketException e = assertThrows(WebSocketException.class, () -> client
                        .connect(URI.create("wss://localhost:" + secure.port() + "/")).block(Duration.ofSeconds(10)));
                assertEquals(WebErrorStatus.FOUND, e.status());
                assertEquals(302, e.httpStatus());
                assertTrue(e.getMessage().endsWith("; the redirect to ws://127.0.0.1:" + target.port() + "/ is not followed:"
                        + " it would leave wss for an unencrypted connection"), e.getMessage());
                e = assertThrows(WebSocketException.class, () -> client.connect(URI.create("wss://localhost:"
                        + secure.port() + "/http")).block(Duration.ofSeconds(10)));
                assertEquals(WebErrorStatus.FOUND, e.status(), "http:// is ws:// too");
            } finally {
                secure.disposeNow();
            }
        }
    }

    @Test
    void aRedirectFromWsToWssMakesTlsOnTheNextHop() {
        try (RawServer first = RawServer.start();
                TestServer secure = TestServer.echoingOverTls(TestPki.get().valid(), false)) {
            WebSocketClient client = builder().maxRedirects(1).trustStore(TestPki.get().trustStore()).build();
            CompletableFuture<StreamWebSocket> connecting = client.connect(first.uri()).toFuture();
            first.acceptHandshake();
            first.respondRaw(redirect(308, "https://localhost:" + secure.port() + "/echo"));

            StreamWebSocket ws = connecting.orTimeout(10, TimeUnit.SECONDS).join();
            assertEquals(URI.create("wss://localhost:" + secure.port() + "/echo"), ws.info().uri());
            assertEquals(TestPki.get().valid().certificate(), ws.info().serverCertificate().orElseThrow());
            ByteBuffer back = ws.send(Mono.just(ByteBuffer.wrap(new byte[] {1, 2, 3}))).thenMany(ws.receive()).next()
                    .block(Duration.ofSeconds(5));
            assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}), back);
            ws.close().block(Duration.ofSeconds(5));
        }
    }

    @Test
    void theCredentialStaysWithItsOriginAcrossRedirects() {
        String basic = "Basic " + Base64.getEncoder().encodeToString("alice:pw".getBytes(StandardCharsets.UTF_8));
        WebSocketClient client = builder().maxRedirects(2).header("Authorization", "Bearer app-token")
                .serverCredential(ServerCredential.of("alice", "pw").preemptive(true)).build();
        try (RawServer origin = RawServer.start(); RawServer other = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = client.connect(origin.uri("/1")).toFuture();
            assertEquals(basic, origin.acceptHandshake().header("Authorization"));
            origin.respondRaw(redirect(302, "/2"));
            assertEquals(basic, origin.acceptNext().readRequest().header("Authorization"), "the same origin has it");
            origin.respondRaw(redirect(302, "ws://127.0.0.1:" + other.port() + "/3"));

            assertNull(other.acceptHandshake().header("Authorization"), "neither the credential nor the app's header");
            other.respondRaw("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"other\"\r\n"
                    + "Content-Length: 0\r\n\r\n");
            WebSocketException e = failure(connecting);
            assertEquals(WebErrorStatus.UNAUTHORIZED, e.status());
            assertTrue(e.getMessage().endsWith("and the client's is for ws://127.0.0.1:" + origin.port() + " only"),
                    e.getMessage());
        }
    }

    @Test
    void aNegativeLimitIsRefusedNamingMaxRedirects() {
        WebSocketException e = assertThrows(WebSocketException.class, () -> WebSocketClient.builder().maxRedirects(-1));
        assertEquals(WebErrorStatus.INVALID_ARGUMENT, e.status());
        assertTrue(e.getMessage().startsWith("maxRedirects: "), e.getMessage());
    }

    /** A wss:// server that answers every request 302: to {@code location}, or for /http to its http:// twin. */
    @SuppressWarnings("deprecation")
    private static DisposableServer redirectingOverTls(String location) {
        TestPki.Identity identity = TestPki.get().valid();
        return HttpServer.create().host("127.0.0.1").port(0)
                .secure(spec -> spec.sslContext(Http11SslContextSpec.forServer(identity.key(),
                        identity.chain().toArray(new X509Certificate[0]))))
                .handle((request, response) -> response.status(HttpResponseStatus.FOUND)
                        .header("Location", request.uri().startsWith("/http") ? location.replace("ws://", "http://")
                                : location)
                        .send())
                .bindNow();
    }
}
