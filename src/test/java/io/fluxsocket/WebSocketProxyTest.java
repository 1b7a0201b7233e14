package io.fluxsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ProxySelector;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link WebSocketProxy} and the builder's proxy options: what they keep, the URL form, and every
 * refusal, each an {@code INVALID_ARGUMENT} naming the argument, made when the argument is given
 * (no client, no I/O), never showing a password.
 */
class WebSocketProxyTest {

    private static WebSocketException refused(String argument, Executable call) {
        WebSocketException e = assertThrows(WebSocketException.class, call);
        assertEquals(WebErrorStatus.INVALID_ARGUMENT, e.status(), e.toString());
        assertTrue(e.getMessage().startsWith(argument + ": "), e.getMessage());
        return e;
    }

    @Test
    void aProxyKeepsWhatItIsGiven() {
        WebSocketProxy p = WebSocketProxy.http("proxy.example", 3128).credential("alice", "s3cret").preemptive(true)
                .nonProxyHosts("localhost|*.internal");
        assertEquals(WebSocketProxy.Type.HTTP, p.type());
        assertEquals("proxy.example", p.host());
        assertEquals(3128, p.port());
        assertEquals(Optional.of("alice"), p.username());
        assertEquals(Optional.of("s3cret"), p.password());
        assertTrue(p.preemptive());
        assertEquals(Optional.of("localhost|*.internal"), p.nonProxyHosts());

        WebSocketProxy socks = WebSocketProxy.socks5("[::1]", 1080);
        assertEquals(WebSocketProxy.Type.SOCKS5, socks.type());
        assertEquals("::1", socks.host(), "an IPv6 address without brackets");
        assertEquals(Optional.empty(), socks.username());
        assertFalse(socks.preemptive());
        assertEquals(Optional.empty(), socks.nonProxyHosts());
    }

    @Test
    void eachOptionMakesACopy() {
        WebSocketProxy plain = WebSocketProxy.http("127.0.0.1", 3128);
        WebSocketProxy withCredential = plain.credential("alice", "");
        assertEquals(Optional.empty(), plain.username());
        assertEquals(Optional.of(""), withCredential.password(), "an empty password is a password");
        assertEquals(WebSocketProxy.http("127.0.0.1", 3128), plain);
        assertEquals(plain.hashCode(), WebSocketProxy.http("127.0.0.1", 3128).hashCode());
        assertFalse(plain.equals(withCredential));
    }

    @Test
    void theUrlFormIsThatOfCommandLineTools() {
        assertEquals(WebSocketProxy.http("proxy.example", 3128).credential("alice", "s:cret @/"),
                WebSocketProxy.parse("http://alice:s%3Acret%20%40%2F@proxy.example:3128"));
        assertEquals(WebSocketProxy.socks5("127.0.0.1", 1080), WebSocketProxy.parse("socks5://127.0.0.1:1080"));
        assertEquals(WebSocketProxy.socks5("127.0.0.1", 1080), WebSocketProxy.parse("SOCKS5H://127.0.0.1:1080/"),
                "socks5h is socks5: the proxy resolves the origin either way");
        assertEquals(WebSocketProxy.http("::1", 8080).credential("bob", ""), WebSocketProxy.parse("http://bob@[::1]:8080"));
        assertEquals(WebSocketProxy.http("h", 1).credential("bj\u00f6rn", "\u00e9t\u00e9"),
                WebSocketProxy.parse("http://bj%C3%B6rn:%C3%A9t%C3%A9@h:1"), "percent-encoded UTF-8");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://proxy.example:3128", "socks4://proxy.example:1080", "ftp://proxy.example:21",
            "proxy.example:3128"})
    void anUnsupportedSchemeIsRefused(String url) {
        WebSocketException e = refused("proxy", () -> WebSocketProxy.parse(url));
        assertTrue(e.getMessage().contains("unsupported proxy scheme"), e.getMessage());
    }

    @Test
    void aUrlWithoutAPortIsRefused() {
        WebSocketException e = refused("proxy", () -> WebSocketProxy.parse("http://alice:topsecret@proxy.example"));
        assertEquals("proxy: 'http://(credential)@proxy.example' has no port: give one, as in"
                + " http://proxy.example:3128", e.getMessage(), "the credential is not shown");
        refused("proxy", () -> WebSocketProxy.parse("socks5://proxy.example/"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://", "http://:3128", "//proxy.example:3128", "http://proxy.example:3128/path",
            "http://proxy.example:3128?q", "http://proxy.example:3128#f", "http://pro xy:3128", "http://h:99999",
            "http://h:1%zz", "http://a%zz@h:1"})
    void aUrlThatIsNotAProxysIsRefused(String url) {
        refused("proxy", () -> WebSocketProxy.parse(url));
    }

    @Test
    void aNullUrlIsRefused() {
        refused("proxy", () -> WebSocketProxy.parse(null));
    }

    @Test
    void aCredentialWithAColonInTheUserNameOrACrOrLfIsRefused() {
        WebSocketProxy proxy = WebSocketProxy.http("127.0.0.1", 3128);
        WebSocketException colon = refused("proxy credential", () -> proxy.credential("al:ice", "pw"));
        assertTrue(colon.getMessage().contains("colon"), colon.getMessage());
        refused("proxy credential", () -> proxy.credential("alice\r\nX-Injected: 1", "pw"));
        refused("proxy credential", () -> proxy.credential("alice", "pw\n"));
        refused("proxy credential", () -> proxy.credential("alice", "p\u0000w"));
        refused("proxy credential", () -> WebSocketProxy.socks5("127.0.0.1", 1080).credential("al:ice", "pw"));
        refused("proxy credential", () -> WebSocketProxy.parse("http://al%3Aice:pw@127.0.0.1:3128"));
        WebSocketException e = refused("proxy credential", () -> WebSocketProxy.parse("http://alice:secret%0D%0A@h:1"));
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    @Test
    void aCredentialNeedsAUserNameAndAPassword() {
        WebSocketProxy proxy = WebSocketProxy.http("127.0.0.1", 3128);
        refused("proxy credential", () -> proxy.credential("", "pw"));
        refused("proxy credential", () -> proxy.credential(null, "pw"));
        refused("proxy credential", () -> proxy.credential("alice", null));
    }

    @Test
    void aSocks5CredentialIsAtMost255BytesEach() {
        WebSocketProxy socks = WebSocketProxy.socks5("127.0.0.1", 1080);
        String longest = "\u00e9".repeat(127) + "a";
        assertEquals(Optional.of(longest), socks.credential(longest, longest).username());
        refused("proxy credential", () -> socks.credential(longest + "a", "pw"));
        refused("proxy credential", () -> socks.credential("alice", longest + "a"));
        assertEquals(Optional.of(longest + "a"), WebSocketProxy.http("h", 1).credential(longest + "a", "").username(),
                "HTTP has no such limit");
    }

    @Test
    void badHostsAndPortsAreRefused() {
        refused("proxy", () -> WebSocketProxy.http(null, 3128));
        refused("proxy", () -> WebSocketProxy.http("", 3128));
        refused("proxy", () -> WebSocketProxy.http("pro xy", 3128));
        refused("proxy", () -> WebSocketProxy.socks5("user@host", 1080));
        refused("proxy", () -> WebSocketProxy.socks5("[::1", 1080));
        refused("proxy", () -> WebSocketProxy.http("h", 0));
        refused("proxy", () -> WebSocketProxy.socks5("h", 65536));
    }

    @Test
    void preemptiveAppliesToHttpProxiesOnly() {
        refused("preemptive", () -> WebSocketProxy.socks5("127.0.0.1", 1080).preemptive(true));
        assertFalse(WebSocketProxy.socks5("127.0.0.1", 1080).preemptive(false).preemptive());
    }

    @Test
    void nonProxyHostsMatchAsHttpNonProxyHostsDoes() {
        WebSocketProxy p = WebSocketProxy.http("h", 1).nonProxyHosts("localhost|*.internal|127.*|[::1]");
        for (String host : new String[] {"localhost", "LocalHost", "a.b.internal", "127.0.0.1", "::1", "[::1]"}) {
            assertTrue(p.bypasses(host), host);
        }
        for (String host : new String[] {"internal", "example.org", "128.0.0.1", "localhost.example", "::2", "db-1"}) {
            assertFalse(p.bypasses(host), host);
        }
        assertTrue(WebSocketProxy.http("h", 1).nonProxyHosts("db-*").bypasses("db-1"));
        assertFalse(WebSocketProxy.http("h", 1).bypasses("localhost"), "none by default");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a||b", "|a", "a b", "a/b", "a,b", "a\nb"})
    void aBadNonProxyHostsPatternIsRefused(String patterns) {
        refused("nonProxyHosts", () -> WebSocketProxy.http("h", 1).nonProxyHosts(patterns));
    }

    @Test
    void toStringShowsTheUserButNeverThePassword() {
        WebSocketProxy p = WebSocketProxy.parse("http://alice:topsecret@[::1]:3128").preemptive(true).nonProxyHosts("localhost");
        assertEquals("http://alice@[::1]:3128 (preemptive, nonProxyHosts localhost)", p.toString());
        assertEquals("socks5://127.0.0.1:1080", WebSocketProxy.socks5("127.0.0.1", 1080).toString());
    }

    @Test
    void theBuilderRefusesANullProxyOrSelector() {
        refused("proxy", () -> WebSocketClient.builder().proxy(null));
        refused("proxySelector", () -> WebSocketClient.builder().proxySelector(null));
    }

    @Test
    void theBuilderTakesEachFormOfProxy() {
        ProxySelector none = ProxySelector.of(null);
        assertTrue(WebSocketClient.builder().proxy(WebSocketProxy.http("127.0.0.1", 3128)).build() != null);
        assertTrue(WebSocketClient.builder().systemProxy().build() != null);
        assertTrue(WebSocketClient.builder().proxySelector(none).proxy(WebSocketProxy.socks5("h", 1)).build() != null);
    }
}
