package io.fluxsocket.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fluxsocket.WebSocketProxy;
import io.fluxsocket.testing.ProxyServer;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code --proxy URL}: the pipe through a real proxy (tinyproxy, microsocks) that requires the
 * credential in the URL, and the URLs refused before any I/O.
 */
@Timeout(60)
class PipeProxyTest {

    @TempDir
    Path config;

    @ParameterizedTest
    @EnumSource(ProxyServer.Kind.class)
    void stdinComesBackThroughAProxyWithTheCredentialOfTheUrl(ProxyServer.Kind kind) {
        byte[] input = new byte[300_000];
        new Random(5).nextBytes(input);
        // tinyproxy's configuration takes letters, digits and "-_." only: an escaped '-' for it.
        boolean http = kind == ProxyServer.Kind.TINYPROXY;
        try (ProxyServer proxy = ProxyServer.start(kind, "bob", http ? "pa-ss" : "p@ss:w0rd", config);
             EchoServer origin = EchoServer.start()) {
            String url = (http ? "http://bob:pa%2Dss@" : "socks5://bob:p%40ss%3Aw0rd@") + "127.0.0.1:" + proxy.port();
            Run run = Run.of(new ByteArrayInputStream(input), "--proxy", url, "-v", origin.uri().toString());
            assertEquals(Main.EXIT_OK, run.exitCode(), run.describe());
            assertArrayEquals(input, run.stdout());
            assertTrue(run.stderr().contains(" -> 127.0.0.1:" + proxy.port() + ","), "the peer is the proxy: " + run.stderr());
            if (http) {
                assertEquals(2, proxy.connectRequests().size(), "asked with the credential after the 407");
            }
        }
    }

    @Test
    void aProxyThatRefusesTheCredentialIsAConnectionFailureNamingIt() {
        try (ProxyServer proxy = ProxyServer.start(ProxyServer.Kind.TINYPROXY, "bob", "right", config);
             EchoServer origin = EchoServer.start()) {
            Run run = Run.of("--proxy", "http://bob:wrong@127.0.0.1:" + proxy.port(), origin.uri().toString());
            assertEquals(Main.EXIT_CONNECTION, run.exitCode(), run.describe());
            assertTrue(run.stderr().startsWith("fluxsocket: PROXY_AUTHENTICATION_REQUIRED: the HTTP proxy 127.0.0.1:"
                    + proxy.port() + " refused the tunnel"), run.stderr());
            assertFalse(run.stderr().contains("wrong"), "no password shown: " + run.stderr());
        }
    }

    @Test
    void badProxyUrlsAreInvalidArgumentsNamingTheOption() {
        for (List<String> bad : List.of(
                List.of("ftp://h:1", "unsupported proxy scheme 'ftp' in 'ftp://h:1'"),
                List.of("https://h:443", "unsupported proxy scheme 'https'"),
                List.of("http://alice:topsecret@h", "'http://(credential)@h' has no port"),
                List.of("http://al%3Aice:topsecret@h:1", "proxy credential: the user name contains a colon"),
                List.of("http://alice:top%0D%0Asecret@h:1", "proxy credential: the password contains a forbidden character"))) {
            Run run = Run.of("--proxy", bad.get(0), "ws://127.0.0.1:1/");
            assertEquals(Main.EXIT_USAGE, run.exitCode(), run.describe());
            List<String> lines = run.stderr().lines().toList();
            assertEquals(2, lines.size(), run.stderr());
            assertTrue(lines.get(0).startsWith("fluxsocket: INVALID_ARGUMENT: invalid value for option '--proxy'"),
                    lines.get(0));
            assertTrue(lines.get(0).contains(bad.get(1)), lines.get(0));
            assertFalse(lines.get(0).contains("topsecret"), "no password shown: " + lines.get(0));
            assertEquals(Main.HELP_HINT, lines.get(1));
        }
    }

    @Test
    void theProxyOptionIsAConnectionOption() throws Exception {
        assertEquals(WebSocketProxy.socks5("127.0.0.1", 1080).credential("u", "p"),
                Options.parse(new String[] {"--proxy=socks5://u:p@127.0.0.1:1080", "ws://a/"}).proxy());
        Run run = Run.of("--proxy", "http://127.0.0.1:3128");
        assertEquals(Main.EXIT_USAGE, run.exitCode(), run.describe());
        assertTrue(run.stderr().contains("option '--proxy' needs a ws:// or wss:// URL"), run.stderr());
        String usage = Run.of("--help").stdoutText();
        assertTrue(usage.contains("--proxy=URL"), usage);
        assertTrue(usage.indexOf("--proxy=URL") < usage.indexOf("TLS (with a wss:// URL):"), "a connection option:\n" + usage);
    }
}
