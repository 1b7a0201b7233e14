package io.fluxsocket.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fluxsocket.testing.Frame;
import io.fluxsocket.testing.TestPki;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The peers' TLS mode, proven without fluxsocket: each peer serves {@code wss://} with a
 * {@link TestPki} identity and, when asked, requires a client certificate (the {@code TLS_*}
 * variables the peer programs describe), and a client on the JDK's own TLS
 * ({@link JsseWebSocket}) that trusts the test root CA only talks to it.
 */
@Timeout(60)
class TlsPeersTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final char[] PASSWORD = "changeit".toCharArray();

    private final TestPki pki = TestPki.get();

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Peer.class)
    void aPeerWithTheValidIdentityEchoesATextMessageOverWss(Peer peer) throws Exception {
        try (PeerServer server = PeerServer.start(peer, serverTls(false));
                JsseWebSocket ws = JsseWebSocket.connect(trustingTheTestCa(null), wss(server, "/echo"), TIMEOUT)) {
            ws.send(Frame.TEXT, "hello over TLS".getBytes(StandardCharsets.UTF_8));
            Frame echo = ws.read();
            assertEquals(Frame.TEXT, echo.opcode(), echo.toString());
            assertEquals("hello over TLS", new String(echo.payload(), StandardCharsets.UTF_8));
            ws.sendClose(1000);
            assertEquals(1000, ws.read().closeCode());
        }
    }

    @ParameterizedTest
    @EnumSource(Peer.class)
    void aPeerRequiringAClientCertificateSeesTheClientsName(Peer peer) throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(pki.client().keyStore(PASSWORD), PASSWORD);
        try (PeerServer server = PeerServer.start(peer, serverTls(true));
                JsseWebSocket ws = JsseWebSocket.connect(trustingTheTestCa(keys.getKeyManagers()),
                        wss(server, "/client-cert"), TIMEOUT)) {
            Frame name = ws.read();
            assertEquals(Frame.BINARY, name.opcode(), name.toString());
            assertEquals("fluxsocket-test-client", new String(name.payload(), StandardCharsets.UTF_8));
            assertEquals(1000, ws.read().closeCode());
            ws.sendClose(1000);
        }
    }

    @ParameterizedTest
    @EnumSource(Peer.class)
    void aPeerRequiringAClientCertificateRefusesAClientWithout(Peer peer) throws Exception {
        SSLContext noCertificate = trustingTheTestCa(null);
        try (PeerServer server = PeerServer.start(peer, serverTls(true))) {
            // With TLS 1.3 the client's handshake completes first; the server's alert may come as it reads the response.
            assertThrows(IOException.class, () -> JsseWebSocket.connect(noCertificate, wss(server, "/client-cert"), TIMEOUT)
                    .close());
        }
    }

    @ParameterizedTest
    @EnumSource(Peer.class)
    void aClientThatDoesNotTrustTheTestCaRefusesThePeer(Peer peer) throws Exception {
        SSLContext jdkDefaults = SSLContext.getDefault();
        try (PeerServer server = PeerServer.start(peer, serverTls(false))) {
            assertThrows(SSLHandshakeException.class, () -> JsseWebSocket.connect(jdkDefaults, wss(server, "/echo"), TIMEOUT)
                    .close());
        }
    }

    /** The peer's TLS variables: the valid identity, and, if asked, a client certificate required from the test CA. */
    private Map<String, String> serverTls(boolean requireClientCertificate) {
        String cert = pki.valid().writeChainPem(dir, "server.pem").toString();
        String key = pki.valid().writeKeyPem(dir, "server.key").toString();
        if (!requireClientCertificate) {
            return Map.of("TLS_CERT", cert, "TLS_KEY", key);
        }
        return Map.of("TLS_CERT", cert, "TLS_KEY", key, "TLS_CA", pki.writeCaPem(dir).toString(), "TLS_REQUEST_CERT", "1");
    }

    /** A TLS context that trusts the test root CA only and presents {@code keyManagers}' certificate, if any. */
    private SSLContext trustingTheTestCa(KeyManager[] keyManagers) throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(pki.trustStore());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers, trust.getTrustManagers(), null);
        return context;
    }

    private static URI wss(PeerServer server, String pathAndQuery) {
        return server.uri("wss", "localhost", pathAndQuery);
    }
}
