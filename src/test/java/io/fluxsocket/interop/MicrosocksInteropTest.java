package io.fluxsocket.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.testing.ProxyServer;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Through microsocks, a SOCKS5 proxy (with and without {@code -u}/{@code -P}). */
class MicrosocksInteropTest extends ProxyInteropContract {

    @Override
    ProxyServer.Kind kind() {
        return ProxyServer.Kind.MICROSOCKS;
    }

    @Override
    WebErrorStatus refusedTunnelStatus() {
        return WebErrorStatus.CANNOT_CONNECT;
    }

    /**
     * microsocks relays each connection in one thread that reads one side and then writes what it
     * read to the other with a blocking write: while it waits for the origin to take bytes, it reads
     * nothing from the origin. An echo origin that reads no faster than it writes back then waits on
     * microsocks as microsocks waits on it, once the bytes in flight fill the buffers between them
     * (seen: the client's send stalled for 30 s with 64 MiB sent at full speed). That takes the
     * socket buffers both ways and the origin's write buffer full: with Linux's default sizes
     * (128 KiB to receive, 16 KiB to send) and Reactor Netty's 64 KiB high-water mark, over
     * 350 KiB. So at most 256 KiB go unanswered here.
     */
    @Override
    long echoWindow() {
        return 256 * 1024;
    }

    @Test
    void aProxyThatWantsACredentialSaysWhichMethod() {
        WebSocketException e = connectError(through(guarded.proxy()), origin.uri());
        assertEquals(WebErrorStatus.PROXY_AUTHENTICATION_REQUIRED, e.status(), e.toString());
        assertEquals("the SOCKS5 proxy 127.0.0.1:" + guarded.port() + " asks for an authentication method the client"
                + " did not offer (unexpected authMethod: UNACCEPTED(255)); the client has no credential for it",
                e.getMessage());
    }

    /**
     * {@code systemProxy()} takes the proxy from {@code socksProxyHost}/{@code socksProxyPort} and its
     * credential from {@code java.net.socks.username}/{@code java.net.socks.password}. The origin is
     * named {@code 2130706433} (127.0.0.1 as one number), which the JDK's selector does not take for
     * loopback (it never proxies {@code localhost} or {@code 127.*}) and the proxy resolves.
     */
    @Test
    void systemProxyFollowsTheJvmsSocksProperties() {
        URI uri = URI.create("ws://2130706433:" + origin.port() + "/");
        Map<String, String> saved = TinyproxyInteropTest.set(Map.of("socksProxyHost", "127.0.0.1", "socksProxyPort",
                String.valueOf(guarded.port()), "java.net.socks.username", USER, "java.net.socks.password", PASSWORD));
        try {
            WebSocketClient system = WebSocketClient.builder().connectTimeout(TIMEOUT).systemProxy().build();
            assertEquals(guarded.port(), remotePort(echo(system, uri)), "through the proxy of the properties");

            System.setProperty("java.net.socks.password", "wrong");
            WebSocketException e = connectError(system, uri);
            assertEquals(WebErrorStatus.PROXY_AUTHENTICATION_REQUIRED, e.status(), e.toString());
            assertTrue(e.getMessage().contains("refused the credential of user '" + USER + "'"), e.getMessage());
        } finally {
            TinyproxyInteropTest.restore(saved);
        }
    }
}
