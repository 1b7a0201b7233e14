package io.fluxsocket.cli;

import io.fluxsocket.testing.TestPki;
import io.fluxsocket.testing.TestPki.Identity;
import io.fluxsocket.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TLS options of the pipe, through the whole tool ({@link Main#run}), against an in-process
 * Reactor Netty {@code wss://} echo server with a certificate of the {@link TestPki}: trust by
 * {@code --cacert} or by nothing, {@code --insecure}, pins, client certificates, protocols and
 * cipher suites, {@code --verbose}, and files the library cannot read.
 */
@Timeout(60)
class PipeTlsTest {

    private static final TestPki PKI = TestPki.get();
    /** What each run sends and expects back. */
    private static final String MESSAGE = "hello over TLS";
    private static final String NL = System.lineSeparator();

    /** The server of the test, if it started one. */
    private TestServer server;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Starts a wss:// echo server with the valid certificate; with {@code clientCertificates}, it requires one. */
    private String start(boolean clientCertificates) {
        server = TestServer.echoingOverTls(PKI.valid(), clientCertificates);
        return server.uri("wss", "127.0.0.1") + "echo";
    }

    /** Pipes {@link #MESSAGE} through the tool with these arguments. */
    private static Run pipe(String... args) {
        return Run.of(new ByteArrayInputStream(MESSAGE.getBytes(StandardCharsets.UTF_8)), args);
    }

    private static void assertEchoed(Run run) {
        assertEquals(Main.EXIT_OK, run.exitCode(), run.describe());
        assertEquals(MESSAGE, run.stdoutText());
    }

    @Test
    void cacertTrustsTheServersCa() {
        Run run = pipe("--cacert", PKI.writeCaPem(dir).toString(), start(false));
        assertEchoed(run);
        assertEquals("", run.stderr());
    }

    @Test
    void withoutCacertTheJvmsTrustRefusesTheServer() {
        Run run = pipe(start(false));
        assertEquals(Main.EXIT_CONNECTION, run.exitCode(), run.describe());
        assertTrue(run.stderr().startsWith("fluxsocket: CERTIFICATE_IS_INVALID: "), run.stderr());
        assertTrue(run.stderr().contains("UNTRUSTED"), run.stderr());
        assertEquals(1, run.stderr().lines().count(), run.stderr());
        assertEquals(0, run.stdout().length);
    }

    @Test
    void insecureConnectsToAnUntrustedServerAndWarns() {
        Run run = pipe("--insecure", start(false));
        assertEchoed(run);
        assertEquals("fluxsocket: warning: --insecure: the server certificate's errors UNTRUSTED, EXPIRED,"
                + " INVALID_NAME and INCOMPLETE_CHAIN are ignored" + NL, run.stderr());
    }

    @Test
    void insecureWithVerboseShowsTheIgnoredError() {
        Run run = pipe("--insecure", "-v", start(false));
        assertEchoed(run);
        List<String> lines = run.stderr().lines().toList();
        assertEquals(2, lines.size(), run.stderr());
        assertTrue(lines.get(0).startsWith("fluxsocket: warning: --insecure: "), lines.get(0));
        assertTrue(lines.get(1).endsWith("; certificate errors ignored: UNTRUSTED"), lines.get(1));
    }

    @Test
    void theRightPinIsAcceptedAmongOthers() throws Exception {
        String other = "sha256/" + "A".repeat(43) + "=";
        Run run = pipe("--cacert", PKI.writeCaPem(dir).toString(), "--pin", other, "--pin", pin(PKI.valid()),
                start(false));
        assertEchoed(run);
        assertEquals("", run.stderr());
    }

    @Test
    void aWrongPinIsRefused() {
        Run run = pipe("--cacert", PKI.writeCaPem(dir).toString(), "--pin", "sha256/" + "A".repeat(43) + "=",
                start(false));
        assertEquals(Main.EXIT_CONNECTION, run.exitCode(), run.describe());
        assertTrue(run.stderr().startsWith("fluxsocket: CERTIFICATE_IS_INVALID: "), run.stderr());
        assertEquals(0, run.stdout().length);
    }

    @Test
    void verboseDescribesTheServerCertificateAndTheTlsParameters() {
        Run run = pipe("--cacert", PKI.writeCaPem(dir).toString(), "--verbose", start(false));
        assertEchoed(run);
        X509Certificate certificate = PKI.valid().certificate();
        String line = "fluxsocket: connected 127\\.0\\.0\\.1:\\d+ -> "
                + Pattern.quote("127.0.0.1:" + server.port() + ", subprotocol none; TLSv1.3, ") + "TLS_\\w+"
                + Pattern.quote("; server certificate CN=fluxsocket-test-valid, expires "
                        + certificate.getNotAfter().toInstant() + "; certificate errors ignored: none") + "\\R";
        assertTrue(run.stderr().matches(line), run.stderr());
    }

    @Test
    void tlsProtocolsAndCiphersAreNegotiated() {
        String suite = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
        Run run = pipe("--cacert", PKI.writeCaPem(dir).toString(), "--tls-protocols", "TLSv1.2", "--ciphers",
                suite + ",TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "-v", start(false));
        assertEchoed(run);
        assertTrue(run.stderr().contains("; TLSv1.2, " + suite + "; "), run.stderr());
    }

    @Test
    void aPemClientCertificateIsOffered() {
        Identity client = PKI.client();
        Run run = pipe("--cacert", PKI.writeCaPem(dir).toString(), "--cert", client.writeChainPem(dir, "client.pem").toString(),
                "--key", client.writeKeyPem(dir, "client.key").toString(), start(true));
        assertEchoed(run);
    }

    @Test
    void aPkcs12ClientCertificateIsOffered() {
        Path p12 = PKI.client().writePkcs12(dir, "client.p12", "s3cret".toCharArray());
        Run run = pipe("--cacert", PKI.writeCaPem(dir).toString(), "--cert-p12", p12.toString(), "--cert-password",
                "s3cret", start(true));
        assertEchoed(run);
    }

    @Test
    void withoutAClientCertificateAServerThatRequiresOneRefuses() {
        Run run = pipe("--cacert", PKI.writeCaPem(dir).toString(), start(true));
        assertEquals(Main.EXIT_CONNECTION, run.exitCode(), run.describe());
        assertTrue(run.stderr().startsWith("fluxsocket: CLIENT_CERTIFICATE_REQUIRED: "), run.stderr());
        assertEquals(0, run.stdout().length);
    }

    @Test
    void fileTheLibraryCannotReadIsInvalidArgumentWithoutTheHint() throws Exception {
        Path notPem = Files.writeString(dir.resolve("not.pem"), "not a certificate");
        Run run = pipe("--cacert", notPem.toString(), "wss://127.0.0.1:1/");
        assertEquals(Main.EXIT_USAGE, run.exitCode(), run.describe());
        assertTrue(run.stderr().startsWith("fluxsocket: INVALID_ARGUMENT: trustedCertificates: "), run.stderr());
        assertEquals(1, run.stderr().lines().count(), run.stderr());
    }

    @Test
    void aWrongPkcs12PasswordIsInvalidArgument() {
        Path p12 = PKI.client().writePkcs12(dir, "client.p12", "s3cret".toCharArray());
        Run run = pipe("--cert-p12", p12.toString(), "--cert-password", "wrong", "wss://127.0.0.1:1/");
        assertEquals(Main.EXIT_USAGE, run.exitCode(), run.describe());
        assertTrue(run.stderr().startsWith("fluxsocket: INVALID_ARGUMENT: clientCertificate: wrong password"),
                run.stderr());
    }

    /** The public-key pin of an identity's certificate, as {@code --pin} takes it. */
    private static String pin(Identity identity) throws Exception {
        byte[] spki = identity.certificate().getPublicKey().getEncoded();
        return "sha256/" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(spki));
    }
}
