package io.fluxsocket.interop;

import io.fluxsocket.ChainValidationResult;
import io.fluxsocket.CloseStatus;
import io.fluxsocket.ServerCertificateErrorSeverity;
import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.testing.TestPki;
import io.fluxsocket.testing.TestPki.Identity;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * fluxsocket's {@code wss://} against the independent TLS servers: Node's {@code https} with
 * {@code ws}, and Python's {@code ssl} with {@code websockets}, each started with a {@link TestPki}
 * identity. Data both ways with SHA-256, every certificate error with its status and as an
 * ignorable error, and mutual TLS.
 */
@Timeout(120)
class TlsInteropTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final long BYTES = 16 << 20;
    private static final int CHUNK = 64 * 1024;
    private static final TestPki PKI = TestPki.get();

    @TempDir
    Path dir;

    private PeerServer start(Peer peer, Identity identity, boolean requireClientCertificate) {
        String cert = identity.writeChainPem(dir, "server.pem").toString();
        String key = identity.writeKeyPem(dir, "server.key").toString();
        Map<String, String> tls = requireClientCertificate
                ? Map.of("TLS_CERT", cert, "TLS_KEY", key, "TLS_CA", PKI.writeCaPem(dir).toString(), "TLS_REQUEST_CERT", "1")
                : Map.of("TLS_CERT", cert, "TLS_KEY", key);
        return PeerServer.start(peer, tls);
    }

    private static WebSocketClient.Builder trusting() {
        return WebSocketClient.builder().connectTimeout(Duration.ofSeconds(15)).trustStore(PKI.trustStore());
    }

    @ParameterizedTest
    @EnumSource(Peer.class)
    void sixteenMebibytesGoEachWayOverTlsWithMatchingHashes(Peer peer) {
        try (PeerServer server = start(peer, PKI.valid(), false)) {
            WebSocketClient client = trusting().build();
            StreamWebSocket upload = client.connect(server.uri("wss", "localhost", "/upload")).block(TIMEOUT);
            Sha256 sent = new Sha256();
            upload.send(Sha256.randomBytes(11, BYTES, CHUNK, sent)).block(TIMEOUT);
            upload.receive().then().block(TIMEOUT);
            assertEquals(new CloseStatus(CloseStatus.NORMAL_CLOSURE, sent.hex(), true), upload.closeStatus().block(TIMEOUT));

            StreamWebSocket download = client.connect(server.uri("wss", "localhost", "/download?bytes=" + BYTES)).block(TIMEOUT);
            Sha256 received = new Sha256();
            download.receive().doOnNext(received::update).then().block(TIMEOUT);
            assertEquals(BYTES, received.bytes());
            assertEquals(new CloseStatus(CloseStatus.NORMAL_CLOSURE, received.hex(), true), download.closeStatus().block(TIMEOUT));
            assertEquals(PKI.valid().certificate(), download.info().serverCertificate().orElseThrow());
            assertEquals(ServerCertificateErrorSeverity.NONE, download.info().serverCertificateErrorSeverity());
        }
    }

    static Stream<Arguments> errors() {
        return Stream.of(Peer.values()).flatMap(peer -> Stream.of(
                Arguments.of(peer, "wrong host", PKI.wrongHost(), ChainValidationResult.INVALID_NAME,
                        WebErrorStatus.CERTIFICATE_COMMON_NAME_IS_INCORRECT),
                Arguments.of(peer, "expired", PKI.expired(), ChainValidationResult.EXPIRED, WebErrorStatus.CERTIFICATE_EXPIRED),
                Arguments.of(peer, "self-signed", PKI.selfSigned(), ChainValidationResult.UNTRUSTED, WebErrorStatus.CERTIFICATE_IS_INVALID),
                Arguments.of(peer, "missing intermediate", PKI.validLeafOnly(), ChainValidationResult.INCOMPLETE_CHAIN,
                        WebErrorStatus.CERTIFICATE_IS_INVALID)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("errors")
    void eachCertificateErrorFailsWithItsStatusAndIsAcceptedWhenIgnorable(Peer peer, String name, Identity identity,
            ChainValidationResult error, WebErrorStatus status) {
        try (PeerServer server = start(peer, identity, false)) {
            URI uri = server.uri("wss", "localhost", "/echo");
            WebSocketException e = assertThrows(WebSocketException.class, () -> trusting().build().connect(uri).block(TIMEOUT));
            assertEquals(status, e.status(), e.toString());

            StreamWebSocket ws = trusting().ignorableServerCertificateErrors(error).build().connect(uri).block(TIMEOUT);
            assertEquals(Set.of(error), ws.info().serverCertificateErrors());
            assertEquals(ServerCertificateErrorSeverity.IGNORABLE, ws.info().serverCertificateErrorSeverity());
            ByteBuffer echoed = ws.send(Mono.just(ByteBuffer.wrap(new byte[] {1, 2, 3}))).thenMany(ws.receive()).next().block(TIMEOUT);
            assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}), echoed);
            ws.close().block(TIMEOUT);
        }
    }

    @ParameterizedTest
    @EnumSource(Peer.class)
    void mutualTlsPassesWithTheClientCertificateAndFailsWithout(Peer peer) {
        try (PeerServer server = start(peer, PKI.valid(), true)) {
            URI uri = server.uri("wss", "localhost", "/client-cert");
            Identity client = PKI.client();
            StreamWebSocket ws = trusting().clientCertificate(client.writeChainPem(dir, "client.pem"), client.writeKeyPem(dir, "client.key"))
                    .build().connect(uri).block(TIMEOUT);
            List<ByteBuffer> name = ws.receive().collectList().block(TIMEOUT);
            assertEquals("fluxsocket-test-client", StandardCharsets.UTF_8.decode(name.get(0)).toString());

            WebSocketException e = assertThrows(WebSocketException.class, () -> trusting().build().connect(uri).block(TIMEOUT));
            assertEquals(WebErrorStatus.CLIENT_CERTIFICATE_REQUIRED, e.status(), e.toString());
            assertTrue(e.getMessage().contains("client certificate"), e.getMessage());
        }
    }
}
