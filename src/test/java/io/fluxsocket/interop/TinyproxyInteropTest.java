package io.fluxsocket.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.testing.ProxyServer;

import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Through tinyproxy, an HTTP {@code CONNECT} proxy (with and without {@code BasicAuth}). Beyond the
 * contract, tinyproxy's log tells how many {@code CONNECT}s each connect cost: the credential goes
 * only after a 407 (or at once when preemptive), is tried once, and a bypassed host never reaches
 * the proxy.
 */
class TinyproxyInteropTest extends ProxyInteropContract {

    @Override
    ProxyServer.Kind kind() {
        return ProxyServer.Kind.TINYPROXY;
    }

    @Override
    WebErrorStatus refusedTunnelStatus() {
        return WebErrorStatus.INTERNAL_SERVER_ERROR;
    }

    /** The tunnels a test asks for, after what earlier tests asked. */
    @BeforeEach
    void forgetEarlierRequests() {
        open.connectRequests();
        guarded.connectRequests();
    }

    private List<String> connects(int times) {
        return java.util.Collections.nCopies(times, "CONNECT 127.0.0.1:" + origin.port() + " HTTP/1.1");
    }

    @Test
    void theCredentialIsSentOnlyWhenTheProxyAsksForIt() {
        echo(through(guarded.proxy().credential(USER, PASSWORD)), origin.uri());
        assertEquals(connects(2), guarded.connectRequests(), "a CONNECT without it, answered 407, then one with it");
    }

    @Test
    void aPreemptiveCredentialGoesWithTheFirstConnect() {
        echo(through(guarded.proxy().credential(USER, PASSWORD).preemptive(true)), origin.uri());
        assertEquals(connects(1), guarded.connectRequests());
    }

    @Test
    void aWrongCredentialIsTriedOnceNeverInALoop() {
        WebSocketException e = connectError(through(guarded.proxy().credential(USER, "wrong")), origin.uri());
        assertEquals(WebErrorStatus.PROXY_AUTHENTICATION_REQUIRED, e.status(), e.toString());
        assertEquals(connects(2), guarded.connectRequests());
    }

    @Test
    void aWrongPreemptiveCredentialIsNotSentTwice() {
        WebSocketException e = connectError(through(guarded.proxy().credential(USER, "wrong").preemptive(true)),
                origin.uri());
        assertEquals(WebErrorStatus.PROXY_AUTHENTICATION_REQUIRED, e.status(), e.toString());
        assertEquals(connects(1), guarded.connectRequests());
    }

    @Test
    void withoutACredentialThereIsNoSecondConnect() {
        WebSocketException e = connectError(through(guarded.proxy()), origin.uri());
        assertEquals(WebErrorStatus.PROXY_AUTHENTICATION_REQUIRED, e.status(), e.toString());
        assertEquals(connects(1), guarded.connectRequests());
        assertEquals("the HTTP proxy 127.0.0.1:" + guarded.port() + " refused the tunnel to 127.0.0.1:" + origin.port()
                + ": 407 Proxy Authentication Required; it asks for a credential (Proxy-Authenticate: Basic"
                + " realm=\"Tinyproxy\"), and the client has none", e.getMessage());
    }

    @Test
    void aBypassedHostNeverReachesTheProxy() {
        echo(through(open.proxy().nonProxyHosts("127.0.0.1")), origin.uri());
        assertEquals(List.of(), open.connectRequests());
    }

    /**
     * {@code systemProxy()} takes the proxy from {@code http.proxyHost}/{@code http.proxyPort} and the
     * credential from the JVM's default Authenticator, after the 407. The JDK's selector never proxies
     * {@code localhost} or {@code 127.*}: the origin is named {@code 2130706433}, 127.0.0.1 as one
     * number, which the proxy resolves (getaddrinfo takes it) and the JDK does not take for loopback.
     */
    @Test
    void systemProxyFollowsTheJvmsProxyPropertiesAndAuthenticator() {
        URI uri = URI.create("ws://2130706433:" + origin.port() + "/");
        Map<String, String> properties = Map.of("http.proxyHost", "127.0.0.1", "http.proxyPort",
                String.valueOf(guarded.port()));
        Authenticator before = Authenticator.getDefault();
        Map<String, String> saved = set(properties);
        try {
            Authenticator.setDefault(new Authenticator() {
                @Override
                protected PasswordAuthentication getPasswordAuthentication() {
                    return getRequestorType() == RequestorType.PROXY && "Tinyproxy".equals(getRequestingPrompt())
                            ? new PasswordAuthentication(USER, PASSWORD.toCharArray()) : null;
                }
            });
            WebSocketClient system = WebSocketClient.builder().connectTimeout(TIMEOUT).systemProxy().build();
            assertEquals(guarded.port(), remotePort(echo(system, uri)), "through the proxy of the properties");
            assertEquals(List.of("CONNECT 2130706433:" + origin.port() + " HTTP/1.1",
                    "CONNECT 2130706433:" + origin.port() + " HTTP/1.1"), guarded.connectRequests(),
                    "the origin's name as given, resolved by the proxy; the credential after the 407");

            WebSocketClient plain = WebSocketClient.builder().connectTimeout(TIMEOUT).build();
            assertEquals(origin.port(), remotePort(echo(plain, uri)), "without systemProxy() the properties do not matter");

            set(Map.of("http.nonProxyHosts", "2130706433"));
            assertEquals(origin.port(), remotePort(echo(system, uri)), "http.nonProxyHosts applies");
            assertEquals(List.of(), guarded.connectRequests());
        } finally {
            Authenticator.setDefault(before);
            restore(saved);
            System.clearProperty("http.nonProxyHosts");
        }
    }

    /** Sets system properties; returns what they were (null for unset). */
    static Map<String, String> set(Map<String, String> properties) {
        Map<String, String> saved = new HashMap<>();
        properties.forEach((k, v) -> saved.put(k, System.setProperty(k, v)));
        return saved;
    }

    static void restore(Map<String, String> saved) {
        saved.forEach((k, v) -> {
            if (v == null) {
                System.clearProperty(k);
            } else {
                System.setProperty(k, v);
            }
        });
    }
}
