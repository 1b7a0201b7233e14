package io.fluxsocket.interop;

import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.ServerCredential;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server credential against independent servers whose authentication is a library made for
 * it: Python {@code websockets}' own Basic authentication ({@code basic_auth_protocol_factory},
 * {@code src/test/peers/python/auth_server.py}) and Node's {@code http-auth} (Basic, and Digest with
 * MD5 and MD5-sess, {@code qop=auth} or none; {@code src/test/peers/node/auth-server.js}) in front of
 * {@code ws}. {@code http-auth} has no SHA-256: Digest with SHA-256 runs against Tomcat's
 * {@code DigestAuthenticator} ({@link TomcatDigestInteropTest}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServerCredentialInteropTest {

    private static final String USER = "alice";
    /** Not ASCII, and with a colon: UTF-8, and only the first colon of Basic's pair splits. */
    private static final String PASSWORD = "s3cret:pässwörd";
    /**
     * With a colon, ASCII: websockets 10.4 compares passwords with {@code hmac.compare_digest}, which
     * raises (and answers 500) for a str with non-ASCII characters.
     */
    private static final String PYTHON_PASSWORD = "s3cret:password";

    private static PeerServer python;
    private static PeerServer node;

    @BeforeAll
    static void startPeers() {
        python = PeerServer.start(Peer.PYTHON_WEBSOCKETS, "auth_server.py",
                Map.of("AUTH_USER", USER, "AUTH_PASSWORD", PYTHON_PASSWORD));
        requireHttpAuth();
        node = PeerServer.start(Peer.NODE_WS, "auth-server.js", Map.of("AUTH_USER", USER, "AUTH_PASSWORD", PASSWORD));
    }

    @AfterAll
    static void stopPeers() {
        if (python != null) {
            python.close();
        }
        if (node != null) {
            node.close();
        }
    }

    /** http-auth beside ws: as a missing peer, skipped outside CI and a failure under CI=true. */
    private static void requireHttpAuth() {
        if (!Files.isRegularFile(Peer.NODE_WS.directory().resolve("node_modules/http-auth/package.json"))) {
            String message = "Node peer's http-auth is missing; run .ci/run, or 'npm install --no-package-lock' in "
                    + Peer.NODE_WS.directory();
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(message + " (CI=true: .ci/run must install every peer)");
            }
            Assumptions.abort(message);
        }
    }

    private static WebSocketClient client(ServerCredential credential) {
        WebSocketClient.Builder b = WebSocketClient.builder().connectTimeout(Duration.ofSeconds(10));
        return (credential == null ? b : b.serverCredential(credential)).build();
    }

    /** Connects, and returns the user name the server says it authenticated. */
    private static String authenticatedUser(WebSocketClient client, URI uri) {
        MessageWebSocket ws = client.connectMessages(uri).block(Duration.ofSeconds(20));
        WebSocketMessage first = ws.receive().next().block(Duration.ofSeconds(10));
        ws.closeStatus().block(Duration.ofSeconds(10));
        return first.text();
    }

    private static WebSocketException refused(WebSocketClient client, URI uri) {
        return assertThrows(WebSocketException.class, () -> client.connectMessages(uri).block(Duration.ofSeconds(20)));
    }

    @Test
    void pythonWebsocketsBasicAuthenticationAcceptsTheAnswerToItsChallenge() {
        assertEquals(USER, authenticatedUser(client(ServerCredential.of(USER, PYTHON_PASSWORD)), python.uri("/")));
    }

    @Test
    void pythonWebsocketsBasicAuthenticationAcceptsAPreemptiveCredential() {
        assertEquals(USER, authenticatedUser(client(ServerCredential.of(USER, PYTHON_PASSWORD).preemptive(true)),
                python.uri("/")));
    }

    @Test
    void pythonWebsocketsRefusesAWrongPasswordAfterOneRetry() {
        WebSocketException e = refused(client(ServerCredential.of(USER, "wrong")), python.uri("/"));
        assertEquals(WebErrorStatus.UNAUTHORIZED, e.status());
        assertEquals(401, e.httpStatus());
        assertTrue(e.getMessage().contains("refused the credential of user 'alice' (Basic)"), e.getMessage());
    }

    @Test
    void pythonWebsocketsWithoutACredentialFailsWithItsChallenge() {
        WebSocketException e = refused(client(null), python.uri("/"));
        assertEquals(WebErrorStatus.UNAUTHORIZED, e.status());
        assertEquals("Basic realm=\"fluxsocket\", charset=\"UTF-8\"",
                e.handshakeResponse().orElseThrow().firstValue("WWW-Authenticate").orElseThrow());
        assertTrue(e.getMessage().endsWith("and the client has none"), e.getMessage());
    }

    @Test
    void nodeHttpAuthBasicAcceptsTheAnswer() {
        assertEquals(USER, authenticatedUser(client(ServerCredential.of(USER, PASSWORD)), node.uri("/basic")));
        assertEquals("REFUSED /basic 401", node.awaitLine("REFUSED /basic 401", Duration.ofSeconds(5)));
        assertEquals("ACCEPTED /basic alice", node.awaitLine("ACCEPTED /basic alice", Duration.ofSeconds(5)));
    }

    @Test
    void nodeHttpAuthBasicAcceptsTheUserInformationOfTheUri() {
        URI uri = URI.create("ws://alice:s3cret:p%C3%A4ssw%C3%B6rd@127.0.0.1:" + node.uri("/").getPort() + "/basic");
        assertEquals(USER, authenticatedUser(client(null), uri));
    }

    @Test
    void nodeHttpAuthDigestMd5WithQopAuthAcceptsTheAnswer() {
        assertEquals(USER, authenticatedUser(client(ServerCredential.of(USER, PASSWORD)), node.uri("/digest")));
        assertEquals("ACCEPTED /digest alice", node.awaitLine("ACCEPTED /digest alice", Duration.ofSeconds(5)));
    }

    @Test
    void nodeHttpAuthDigestMd5SessAcceptsTheAnswer() {
        assertEquals(USER, authenticatedUser(client(ServerCredential.of(USER, PASSWORD)), node.uri("/digest-sess")));
    }

    @Test
    void nodeHttpAuthDigestWithoutQopAcceptsTheAnswer() {
        assertEquals(USER, authenticatedUser(client(ServerCredential.of(USER, PASSWORD)), node.uri("/digest-no-qop")));
    }

    @Test
    void nodeHttpAuthDigestRefusesAWrongPasswordAfterOneRetry() {
        WebSocketException e = refused(client(ServerCredential.of(USER, "wrong")), node.uri("/digest"));
        assertEquals(WebErrorStatus.UNAUTHORIZED, e.status());
        assertEquals(401, e.httpStatus());
        assertTrue(e.getMessage().contains("refused the credential of user 'alice' (Digest MD5)"), e.getMessage());
        assertTrue(e.handshakeResponse().orElseThrow().firstValue("WWW-Authenticate").orElseThrow()
                .startsWith("Digest realm=\"fluxsocket\""));
    }
}
