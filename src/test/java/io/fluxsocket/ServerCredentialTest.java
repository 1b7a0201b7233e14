package io.fluxsocket;

import io.fluxsocket.testing.RawServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server credential against a scripted server: when it is sent (on a 401, or at once when
 * preemptive), which challenge is answered, that a refused answer ends the connect after one retry,
 * the URI's user information as the credential, and the checks of bad credentials before any I/O.
 * The independent servers' own Basic and Digest checks are in
 * {@code io.fluxsocket.interop.ServerCredentialInteropTest}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServerCredentialTest {

    private static final String USER = "alice";
    private static final String PASSWORD = "s3cret:pässword";
    private static final String BASIC = "Basic " + Base64.getEncoder()
            .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));

    private static WebSocketClient.Builder builder() {
        return WebSocketClient.builder().connectTimeout(Duration.ofSeconds(5)).closeTimeout(Duration.ofSeconds(1));
    }

    private static String unauthorized(String... challenges) {
        StringBuilder response = new StringBuilder("HTTP/1.1 401 Unauthorized\r\n");
        for (String c : challenges) {
            response.append("WWW-Authenticate: ").append(c).append("\r\n");
        }
        return response.append("Content-Length: 0\r\n\r\n").toString();
    }

    private static WebSocketException failure(CompletableFuture<?> connecting) {
        CompletionException e = assertThrows(CompletionException.class,
                () -> connecting.orTimeout(10, TimeUnit.SECONDS).join());
        return assertInstanceOf(WebSocketException.class, e.getCause());
    }

    @Test
    void aChallengeForBasicIsAnsweredOnceOnANewConnection() {
        WebSocketClient client = builder().serverCredential(USER, PASSWORD).build();
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = client.connect(server.uri("/feed")).toFuture();
            assertNull(server.acceptHandshake().header("Authorization"), "nothing is sent before the server asks");
            server.respondRaw(unauthorized("Basic realm=\"feed\", charset=\"UTF-8\""));

            RawServer.Request retry = server.acceptNext().readRequest();
            assertEquals(BASIC, retry.header("Authorization"), "user:password in UTF-8, as RFC 7617 says");
            assertEquals("/feed", retry.target());
            server.respond101();
            StreamWebSocket ws = connecting.orTimeout(5, TimeUnit.SECONDS).join();
            assertEquals(101, ws.info().handshakeResponse().status());
        }
    }

    @Test
    void aPreemptiveCredentialGoesWithTheFirstRequest() {
        WebSocketClient client = builder().serverCredential(ServerCredential.of(USER, PASSWORD).preemptive(true)).build();
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = client.connect(server.uri()).toFuture();
            assertEquals(BASIC, server.acceptHandshake().header("Authorization"));
            server.respond101();
            connecting.orTimeout(5, TimeUnit.SECONDS).join();
        }
    }

    @Test
    void aRefusedPreemptiveCredentialIsNotSentAgain() {
        WebSocketClient client = builder().serverCredential(ServerCredential.of(USER, PASSWORD).preemptive(true)).build();
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = client.connect(server.uri()).toFuture();
            assertEquals(BASIC, server.acceptHandshake().header("Authorization"));
            server.respondRaw(unauthorized("Basic realm=\"x\""));

            WebSocketException e = failure(connecting);
            assertEquals(WebErrorStatus.UNAUTHORIZED, e.status());
            assertTrue(e.getMessage().contains("refused the credential of user 'alice' (Basic)"), e.getMessage());
        }
    }

    @Test
    void aFourHundredOneWithoutACredentialFailsAtOnceWithTheResponse() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = builder().build().connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.respondRaw("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"r\"\r\n"
                    + "Content-Length: 6\r\n\r\nlog in");

            WebSocketException e = failure(connecting);
            assertEquals(WebErrorStatus.UNAUTHORIZED, e.status());
            assertEquals(401, e.httpStatus());
            assertEquals("log in", e.handshakeResponse().orElseThrow().body());
            assertTrue(e.getMessage().endsWith("it asks for a credential (WWW-Authenticate: Basic realm=\"r\"), and the"
                    + " client has none"), e.getMessage());
        }
    }

    @Test
    void wrongCredentialsFailWithTheSecondResponseAfterOneRetry() {
        WebSocketClient client = builder().serverCredential(USER, "wrong").build();
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = client.connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.respondRaw("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"r\"\r\n"
                    + "Content-Length: 5\r\n\r\nfirst");
            assertTrue(server.acceptNext().readRequest().header("Authorization").startsWith("Basic "));
            server.respondRaw("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"r\"\r\n"
                    + "Content-Length: 6\r\n\r\nsecond");

            WebSocketException e = failure(connecting);
            assertEquals(WebErrorStatus.UNAUTHORIZED, e.status());
            assertEquals("second", e.handshakeResponse().orElseThrow().body());
            assertTrue(e.getMessage().contains("refused the credential of user 'alice' (Basic)"), e.getMessage());
            assertFalse(e.getMessage().contains("wrong"), "no password in a message: " + e.getMessage());
        }
    }

    @Test
    void aChallengeOfAnUnknownSchemeFailsWithTheResponse() {
        WebSocketClient client = builder().serverCredential(USER, PASSWORD).build();
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = client.connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.respondRaw(unauthorized("Negotiate", "Bearer realm=\"api\", error=\"invalid_token\""));

            WebSocketException e = failure(connecting);
            assertEquals(WebErrorStatus.UNAUTHORIZED, e.status());
            assertEquals(2, e.handshakeResponse().orElseThrow().allValues("WWW-Authenticate").size());
            assertTrue(e.getMessage().contains("(WWW-Authenticate: Negotiate, Bearer realm=\"api\") by no scheme the"
                    + " client answers"), e.getMessage());
        }
    }

    @Test
    void theStrongestChallengeIsAnsweredDigestSha256BeforeMd5AndBasic() {
        WebSocketClient client = builder().serverCredential(USER, PASSWORD).build();
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = client.connect(server.uri("/a?b=c")).toFuture();
            server.acceptHandshake();
            server.respondRaw(unauthorized("Basic realm=\"r\"",
                    "Digest realm=\"r\", qop=\"auth\", algorithm=MD5, nonce=\"n1\", opaque=\"o\"",
                    "Digest realm=\"r\", qop=\"auth\", algorithm=SHA-256, nonce=\"n2\", opaque=\"o\""));

            String answer = server.acceptNext().readRequest().header("Authorization");
            assertTrue(answer.startsWith("Digest username=\"alice\", realm=\"r\", uri=\"/a?b=c\", algorithm=SHA-256,"
                    + " nonce=\"n2\", response=\""), answer);
            assertTrue(answer.contains(", qop=auth, nc=00000001, cnonce=\"") && answer.endsWith(", opaque=\"o\""), answer);
            server.respond101();
            connecting.orTimeout(5, TimeUnit.SECONDS).join();
        }
    }

    @Test
    void theRetryCountsWithinTheConnectTimeout() {
        WebSocketClient client = builder().connectTimeout(Duration.ofMillis(1500)).serverCredential(USER, PASSWORD).build();
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = client.connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.respondRaw(unauthorized("Basic realm=\"r\""));
            // The retry is read, and never answered.
            server.acceptNext().readRequest();

            WebSocketException e = failure(connecting);
            assertEquals(WebErrorStatus.TIMEOUT, e.status());
            assertTrue(e.getMessage().contains("within 1500 ms (connectTimeout)"), e.getMessage());
        }
    }

    @Test
    void userInformationInTheUriIsTheCredentialAndGoesNowhereElse() {
        try (RawServer server = RawServer.start()) {
            URI uri = URI.create("ws://alice:s3cret%3Ap%C3%A4ssword@127.0.0.1:" + server.port() + "/in?x=1");
            CompletableFuture<StreamWebSocket> connecting = builder().build().connect(uri).toFuture();
            RawServer.Request first = server.acceptHandshake();
            assertEquals("/in?x=1", first.target());
            assertEquals("127.0.0.1:" + server.port(), first.header("Host"));
            assertFalse(first.raw().contains("alice") || first.raw().contains("s3cret"), first.raw());
            server.respondRaw(unauthorized("Basic realm=\"r\""));

            assertEquals(BASIC, server.acceptNext().readRequest().header("Authorization"), "percent-decoded, UTF-8");
            server.respond101();
            StreamWebSocket ws = connecting.orTimeout(5, TimeUnit.SECONDS).join();
            assertEquals(URI.create("ws://127.0.0.1:" + server.port() + "/in?x=1"), ws.info().uri());
        }
    }

    @Test
    void aFailureMessageShowsTheUriWithoutItsUserInformation() {
        try (RawServer server = RawServer.start()) {
            URI uri = URI.create("ws://alice:hunter2@127.0.0.1:" + server.port() + "/x");
            CompletableFuture<StreamWebSocket> connecting = builder().build().connect(uri).toFuture();
            server.acceptHandshake();
            server.respondRaw("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");

            WebSocketException e = failure(connecting);
            assertEquals(WebErrorStatus.NOT_FOUND, e.status());
            assertTrue(e.getMessage().contains("ws://127.0.0.1:" + server.port() + "/x"), e.getMessage());
            assertFalse(e.getMessage().contains("hunter2") || e.getMessage().contains("alice"), e.getMessage());
        }
    }

    @Test
    void aRequestsCredentialReplacesTheClients() {
        WebSocketClient client = builder().serverCredential("bob", "other").build();
        try (RawServer server = RawServer.start()) {
            WebSocketRequest request = WebSocketRequest.builder(server.uri())
                    .serverCredential(ServerCredential.of(USER, PASSWORD).preemptive(true)).build();
            CompletableFuture<StreamWebSocket> connecting = client.connect(request).toFuture();
            assertEquals(BASIC, server.acceptHandshake().header("Authorization"));
            server.respond101();
            connecting.orTimeout(5, TimeUnit.SECONDS).join();
            assertFalse(request.toString().contains(PASSWORD), request.toString());
        }
    }

    @Test
    void badCredentialsAreRefusedNamingTheArgumentBeforeAnyIo() {
        assertInvalid("serverCredential", () -> ServerCredential.of("al:ice", "x"), "colon");
        assertInvalid("serverCredential", () -> ServerCredential.of("alice\r\n", "x"), "CR, LF or NUL");
        assertInvalid("serverCredential", () -> ServerCredential.of("alice", "pa\nss"), "CR, LF or NUL");
        assertInvalid("serverCredential", () -> ServerCredential.of("alice", "pa\0ss"), "CR, LF or NUL");
        assertInvalid("serverCredential", () -> ServerCredential.of("", "x"), "empty");
        assertInvalid("serverCredential", () -> ServerCredential.of("alice", null), "null");
        assertInvalid("serverCredential", () -> WebSocketClient.builder().serverCredential(null), "null");
        assertInvalid("serverCredential", () -> WebSocketRequest.builder(URI.create("ws://h/")).serverCredential(null),
                "null");
        // No connection is attempted: port 9 of 127.0.0.1 is never reached (it would refuse).
        WebSocketException e = assertThrows(WebSocketException.class, () -> builder().build()
                .connect(URI.create("ws://al%3Aice:s3cret@127.0.0.1:9/")).block(Duration.ofSeconds(5)));
        assertEquals(WebErrorStatus.INVALID_ARGUMENT, e.status());
        assertTrue(e.getMessage().startsWith("uri: the user information is not a credential: the user name contains"
                + " a colon"), e.getMessage());
        e = assertThrows(WebSocketException.class, () -> builder().build()
                .connect(URI.create("ws://alice:s3cret%0D%0A@127.0.0.1:9/")).block(Duration.ofSeconds(5)));
        assertEquals(WebErrorStatus.INVALID_ARGUMENT, e.status());
        assertTrue(e.getMessage().startsWith("uri: ") && !e.getMessage().contains("s3cret"), e.getMessage());
    }

    @Test
    void theCredentialsStringShowsNoPassword() {
        ServerCredential c = ServerCredential.of(USER, PASSWORD).preemptive(true);
        assertEquals("ServerCredential[alice, preemptive]", c.toString());
        assertEquals(PASSWORD, c.password());
        assertTrue(c.isPreemptive());
        assertEquals(ServerCredential.of(USER, PASSWORD), ServerCredential.of(USER, PASSWORD));
    }

    private static void assertInvalid(String argument, Runnable call, String says) {
        WebSocketException e = assertThrows(WebSocketException.class, call::run);
        assertEquals(WebErrorStatus.INVALID_ARGUMENT, e.status());
        assertTrue(e.getMessage().startsWith(argument + ": ") && e.getMessage().contains(says), e.getMessage());
    }
}
