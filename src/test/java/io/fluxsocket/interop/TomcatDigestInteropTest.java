package io.fluxsocket.interop;

import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.ServerCredential;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketMessage;
import jakarta.servlet.http.HttpServlet;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.authenticator.DigestAuthenticator;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.LoginConfig;
import org.apache.tomcat.util.descriptor.web.SecurityCollection;
import org.apache.tomcat.util.descriptor.web.SecurityConstraint;
import org.apache.tomcat.websocket.server.WsSci;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Digest authentication by RFC 7616 with SHA-256 against Tomcat's own {@code DigestAuthenticator}
 * (embedded Tomcat, its WebSocket server behind a security constraint): the Node peer's
 * {@code http-auth} does MD5 only. Tomcat challenges with one {@code WWW-Authenticate} per algorithm
 * it allows; the client answers the strongest, and Tomcat checks the answer (its nonce, {@code nc},
 * {@code cnonce}, {@code opaque}, the {@code uri} against the request's).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TomcatDigestInteropTest {

    private static final String USER = "alice";
    private static final String PASSWORD = "s3cret:pässwörd";
    private static final String REALM = "fluxsocket";

    @TempDir
    static Path base;

    private static Tomcat sha256AndMd5;
    private static Tomcat sha256Only;
    private static Tomcat md5Only;

    /** Sends the authenticated user's name (text), then closes 1000. */
    @ServerEndpoint("/whoami")
    public static final class WhoAmI {
        @OnOpen
        public void open(Session session) throws IOException {
            session.getBasicRemote().sendText(session.getUserPrincipal().getName());
            session.close();
        }
    }

    @BeforeAll
    static void start() throws LifecycleException {
        sha256AndMd5 = tomcat("SHA-256,MD5", base.resolve("a"));
        sha256Only = tomcat("SHA-256", base.resolve("b"));
        md5Only = tomcat("MD5", base.resolve("c"));
    }

    @AfterAll
    static void stop() throws LifecycleException {
        for (Tomcat t : new Tomcat[] {sha256AndMd5, sha256Only, md5Only}) {
            if (t != null) {
                t.stop();
                t.destroy();
            }
        }
    }

    private static Tomcat tomcat(String algorithms, Path dir) throws LifecycleException {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(dir.toString());
        tomcat.setPort(0);
        tomcat.getConnector().setProperty("address", "127.0.0.1");
        Context context = tomcat.addContext("", dir.toString());
        context.addServletContainerInitializer(new WsSci(), Set.of(WhoAmI.class));
        // A servlet for every path: without one Tomcat answers 404 before the WebSocket filter runs.
        Tomcat.addServlet(context, "none", new HttpServlet() {
            private static final long serialVersionUID = 1L;
        });
        context.addServletMappingDecoded("/", "none");
        LoginConfig login = new LoginConfig();
        login.setAuthMethod("DIGEST");
        login.setRealmName(REALM);
        context.setLoginConfig(login);
        SecurityCollection everything = new SecurityCollection();
        everything.addPattern("/*");
        SecurityConstraint constraint = new SecurityConstraint();
        constraint.addAuthRole("user");
        constraint.addCollection(everything);
        context.addConstraint(constraint);
        context.addSecurityRole("user");
        DigestAuthenticator digest = new DigestAuthenticator();
        digest.setAlgorithms(algorithms);
        context.getPipeline().addValve(digest);
        // The engine's default realm: these users, plain-text passwords (it digests them per algorithm).
        tomcat.addUser(USER, PASSWORD);
        tomcat.addRole(USER, "user");
        tomcat.start();
        return tomcat;
    }

    private static URI uri(Tomcat tomcat, String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + tomcat.getConnector().getLocalPort() + pathAndQuery);
    }

    private static WebSocketClient client(String password) {
        return WebSocketClient.builder().connectTimeout(Duration.ofSeconds(10))
                .serverCredential(ServerCredential.of(USER, password)).build();
    }

    private static String authenticatedUser(WebSocketClient client, URI uri) {
        MessageWebSocket ws = client.connectMessages(uri).block(Duration.ofSeconds(20));
        WebSocketMessage first = ws.receive().next().block(Duration.ofSeconds(10));
        ws.closeStatus().block(Duration.ofSeconds(10));
        return first.text();
    }

    @Test
    void tomcatOffersSha256AndMd5AndAcceptsTheSha256Answer() {
        WebSocketException refused = assertThrows(WebSocketException.class, () -> WebSocketClient.builder().build()
                .connectMessages(uri(sha256AndMd5, "/whoami")).block(Duration.ofSeconds(20)));
        List<String> challenges = refused.handshakeResponse().orElseThrow().allValues("WWW-Authenticate");
        assertEquals(2, challenges.size(), challenges.toString());
        assertTrue(challenges.get(0).contains("algorithm=SHA-256") && challenges.get(1).contains("algorithm=MD5"),
                challenges.toString());

        assertEquals(USER, authenticatedUser(client(PASSWORD), uri(sha256AndMd5, "/whoami?room=1")));
    }

    @Test
    void tomcatWithSha256AloneAcceptsTheAnswer() {
        assertEquals(USER, authenticatedUser(client(PASSWORD), uri(sha256Only, "/whoami")));
    }

    @Test
    void tomcatAcceptsTheMd5Answer() {
        assertEquals(USER, authenticatedUser(client(PASSWORD), uri(md5Only, "/whoami")));
    }

    @Test
    void tomcatRefusesAWrongPasswordAfterOneRetry() {
        WebSocketException e = assertThrows(WebSocketException.class, () -> client("wrong")
                .connectMessages(uri(sha256AndMd5, "/whoami")).block(Duration.ofSeconds(20)));
        assertEquals(WebErrorStatus.UNAUTHORIZED, e.status());
        assertTrue(e.getMessage().endsWith("it refused the credential of user 'alice' (Digest SHA-256)"), e.getMessage());
    }
}
