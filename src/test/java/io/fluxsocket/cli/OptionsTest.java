package io.fluxsocket.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as {@link Options} parses it: values, modes, the TLS options, and refusals. */
class OptionsTest {

    /** A pin of the right form: {@code sha256/} and the Base64 of 32 bytes. */
    private static final String PIN = "sha256/" + "A".repeat(43) + "=";

    @Test
    void noArgumentsIsTheDefaultBenchmark() throws Exception {
        Options o = Options.parse(new String[0]);
        assertNull(o.url());
        assertFalse(o.help());
        assertEquals(256L << 20, o.bytes());
        assertEquals(64 * 1024, o.chunk());
        assertFalse(o.quiet());
    }

    @Test
    void valuesFollowTheOptionOrAnEqualsSign() throws Exception {
        Options o = Options.parse(new String[] {"--bytes=1GiB", "--chunk", "16KiB", "-q"});
        assertEquals(1L << 30, o.bytes());
        assertEquals(16 * 1024, o.chunk());
        assertTrue(o.quiet());
    }

    @Test
    void theLastOfAnOptionGivenTwiceCounts() throws Exception {
        Options o = Options.parse(new String[] {"--bytes", "1MiB", "--bytes", "2MiB"});
        assertEquals(2L << 20, o.bytes());
    }

    @Test
    void pipeOptionsAreCollectedInOrder() throws Exception {
        Options o = Options.parse(new String[] {"-H", "A: 1", "--header=B:2", "--subprotocol", "x",
                "--connect-timeout", "2.5", "-v", "wss://example.org/"});
        assertEquals("wss://example.org/", o.url());
        assertEquals(List.of(Map.entry("A", "1"), Map.entry("B", "2")), o.headers());
        assertEquals(List.of("x"), o.subprotocols());
        assertEquals(Duration.ofMillis(2500), o.connectTimeout());
        assertTrue(o.verbose());
    }

    @Test
    void pingOptionsSetTheKeepAliveTheOtherDefaultingToTwentySeconds() throws Exception {
        assertNull(Options.parse(new String[] {"ws://a/"}).keepAlive());
        assertArrayEquals(new Duration[] {Duration.ofMillis(500), Duration.ofSeconds(2)},
                Options.parse(new String[] {"--ping-interval", "0.5", "--ping-timeout=2", "ws://a/"}).keepAlive());
        assertArrayEquals(new Duration[] {Duration.ofSeconds(3), Duration.ofSeconds(20)},
                Options.parse(new String[] {"--ping-interval", "3", "ws://a/"}).keepAlive());
        assertArrayEquals(new Duration[] {Duration.ofSeconds(20), Duration.ofSeconds(4)},
                Options.parse(new String[] {"--ping-timeout", "4", "ws://a/"}).keepAlive());
        assertTrue(Options.parse(new String[] {"--stats", "ws://a/"}).stats());
        assertFalse(Options.parse(new String[] {"ws://a/"}).stats());
    }

    @Test
    void optionsMayFollowTheUrl() throws Exception {
        Options o = Options.parse(new String[] {"ws://example.org/", "--verbose", "--subprotocol=y"});
        assertEquals("ws://example.org/", o.url());
        assertTrue(o.verbose());
        assertEquals(List.of("y"), o.subprotocols());
    }

    @Test
    void withoutTlsOptionsNothingIsSet() throws Exception {
        Options.Tls tls = Options.parse(new String[] {"wss://example.org/"}).tls();
        assertNull(tls.caCertificates);
        assertNull(tls.certificate);
        assertNull(tls.key);
        assertNull(tls.pkcs12);
        assertNull(tls.password);
        assertFalse(tls.insecure);
        assertEquals(List.of(), tls.pins);
        assertEquals(List.of(), tls.protocols);
        assertEquals(List.of(), tls.cipherSuites);
    }

    @Test
    void tlsOptionsAreParsed() throws Exception {
        String other = "sha256/" + "B".repeat(43) + "=";
        Options.Tls tls = Options.parse(new String[] {"--cacert", "ca.pem", "--cert=chain.pem", "--key", "key.pem",
                "--insecure", "--pin", PIN, "--pin=" + other, "--tls-protocols", "TLSv1.3,TLSv1.2",
                "--ciphers=TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384", "wss://example.org/"}).tls();
        assertEquals(Path.of("ca.pem"), tls.caCertificates);
        assertEquals(Path.of("chain.pem"), tls.certificate);
        assertEquals(Path.of("key.pem"), tls.key);
        assertTrue(tls.insecure);
        assertEquals(List.of(PIN, other), tls.pins);
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), tls.protocols);
        assertEquals(List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"), tls.cipherSuites);
    }

    @Test
    void aPkcs12ClientCertificateTakesAPassword() throws Exception {
        Options.Tls tls = Options.parse(new String[] {"--cert-p12", "client.p12", "--cert-password", "s3cret",
                "wss://example.org/"}).tls();
        assertEquals(Path.of("client.p12"), tls.pkcs12);
        assertEquals("s3cret", tls.password);
    }

    @Test
    void theInsecureWarningNamesTheIgnoredErrors() {
        assertEquals("warning: --insecure: the server certificate's errors UNTRUSTED, EXPIRED, INVALID_NAME and"
                + " INCOMPLETE_CHAIN are ignored", Options.Tls.INSECURE_WARNING);
    }

    @Test
    void helpNeedsNothingElse() throws Exception {
        assertTrue(Options.parse(new String[] {"--help"}).help());
        assertTrue(Options.parse(new String[] {"-h", "--bytes", "1MiB", "ws://example.org/"}).help());
    }

    @Test
    void badCommandLinesAreRefusedWithTheReason() {
        assertRefused("missing required parameter for option '--bytes'", "--bytes");
        assertRefused("invalid value for option '--bytes': must be at least 1 B, was 0", "--bytes", "0");
        assertRefused("invalid value for option '--bytes': '1.5MiB' is not a size", "--bytes", "1.5MiB");
        assertRefused("invalid value for option '--chunk': must be at most 64 MiB, was 1GiB", "--chunk", "1GiB");
        assertRefused("invalid value for option '--quiet': 'yes' is not a boolean", "--quiet=yes");
        assertRefused("unknown option: '--colour=never'", "--colour=never");
        assertRefused("more than one URL: 'ws://a/' and 'ws://b/'", "ws://a/", "ws://b/");
        assertRefused("'NoColon' is not of the form 'Name: value'", "--header", "NoColon", "ws://a/");
        assertRefused("'soon' is not a number of seconds", "--connect-timeout", "soon", "ws://a/");
        assertRefused("must be more than 0 and at most 86400 seconds, was 0", "--connect-timeout", "0", "ws://a/");
        assertRefused("option '--header' needs a ws:// or wss:// URL", "--header", "A: b");
        assertRefused("option '--bytes' applies only without a URL (echo benchmark)", "--bytes", "1MiB", "ws://a/");
    }

    @Test
    void tlsOptionsNeedAUrl() {
        assertRefused("option '--cacert' needs a ws:// or wss:// URL", "--cacert", "ca.pem");
        assertRefused("option '--insecure' needs a ws:// or wss:// URL", "--insecure");
        assertRefused("option '--verbose' needs a ws:// or wss:// URL", "-v");
        assertRefused("option '--stats' needs a ws:// or wss:// URL", "--stats");
        assertRefused("option '--ping-interval' needs a ws:// or wss:// URL", "--ping-interval", "1");
        assertRefused("must be more than 0 and at most 86400 seconds, was -1", "--ping-timeout", "-1", "ws://a/");
    }

    @Test
    void pinsOfAnotherFormAreRefused() {
        for (String pin : new String[] {"A".repeat(43) + "=", "sha1/" + "A".repeat(27) + "=", "sha256/abc",
                "sha256/" + "A".repeat(44), "sha256/" + "!".repeat(43) + "=", "sha256/" + "A".repeat(44) + "="}) {
            assertRefused("invalid value for option '--pin' (sha256/BASE64): '" + pin + "' is not a public-key pin: "
                    + "sha256/ and the 44-character Base64 of a SHA-256", "--pin", pin, "wss://a/");
        }
    }

    @Test
    void clientCertificateOptionsMustGoTogether() {
        assertRefused("option '--cert' needs '--key', the certificate's private key", "--cert", "c.pem", "wss://a/");
        assertRefused("option '--key' needs '--cert', the certificate chain of the key", "--key", "k.pem", "wss://a/");
        assertRefused("option '--cert-password' needs '--cert-p12'", "--cert-password", "pw", "wss://a/");
        assertRefused("options '--cert' and '--cert-p12' exclude each other", "--cert", "c.pem", "--key", "k.pem",
                "--cert-p12", "c.p12", "wss://a/");
    }

    @Test
    void everyRefusalIsOneLineStartingInLowerCase() {
        for (String[] args : new String[][] {{"--frobnicate"}, {"--bytes"}, {"--header", "--quiet", "ws://a/"},
                {"--pin", "x", "wss://a/"}, {"--cert", "c.pem", "wss://a/"}}) {
            Options.UsageException e = assertThrows(Options.UsageException.class, () -> Options.parse(args));
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertTrue(Character.isLowerCase(e.getMessage().charAt(0)), e.getMessage());
        }
    }

    private static void assertRefused(String reason, String... args) {
        Options.UsageException e = assertThrows(Options.UsageException.class, () -> Options.parse(args));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}
